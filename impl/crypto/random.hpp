// Cryptographic randomness (client/server random, keys, cookie secrets).
#pragma once

#include <functional>
#include <span>
#include <string_view>

#include "impl/crypto/types.hpp"

namespace wireproof::crypto {

Bytes random_bytes(std::size_t n);  // throws CryptoError if RAND_bytes fails

// An injectable source of random bytes (fills the span). Empty means libcrypto's
// RAND_bytes. A deterministic source is for reproducible (virtual-clock) runs only.
using RandomSource = std::function<void(std::span<std::uint8_t>)>;
Bytes random_bytes(std::size_t n, const RandomSource& src);

// A reproducible byte stream: block i is HMAC-SHA256(key = seed as 8 big-endian
// bytes, label || i as 8 big-endian bytes). Other labels or seeds give unrelated
// bytes; a copy of the source continues from where it was copied. Anyone who
// knows the seed knows every byte: for reproducible (virtual-clock) runs only,
// never for a real peer's keys.
RandomSource seeded_random(std::uint64_t seed, std::string_view label);

}  // namespace wireproof::crypto
