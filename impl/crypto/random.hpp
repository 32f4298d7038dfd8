// Cryptographic randomness (client/server random, keys, cookie secrets).
#pragma once

#include <functional>
#include <span>

#include "impl/crypto/types.hpp"

namespace wireproof::crypto {

Bytes random_bytes(std::size_t n);  // throws CryptoError if RAND_bytes fails

// An injectable source of random bytes (fills the span). Empty means libcrypto's
// RAND_bytes. A deterministic source is for reproducible (virtual-clock) runs only.
using RandomSource = std::function<void(std::span<std::uint8_t>)>;
Bytes random_bytes(std::size_t n, const RandomSource& src);

}  // namespace wireproof::crypto
