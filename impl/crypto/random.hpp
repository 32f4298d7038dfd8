// Cryptographic randomness (client/server random, keys, cookie secrets).
#pragma once

#include "impl/crypto/types.hpp"

namespace wireproof::crypto {

Bytes random_bytes(std::size_t n);  // throws CryptoError if RAND_bytes fails

}  // namespace wireproof::crypto
