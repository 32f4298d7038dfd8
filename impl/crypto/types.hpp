// Byte types and the error type shared by wp_crypto.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace wireproof::crypto {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// Thrown for misuse or a libcrypto failure that is not a protocol outcome
// (a failed AEAD open or signature check is reported by return value instead).
struct CryptoError : std::runtime_error {
  explicit CryptoError(const std::string& what);  // appends the OpenSSL error queue
};

// Hash functions the TLS 1.2 suites we implement use for PRF and transcript.
enum class Hash { sha256, sha384 };
const EVP_MD* md_for(Hash h);  // never null
std::size_t hash_len(Hash h);
const char* hash_name(Hash h);  // "SHA256" / "SHA384" (EVP names)

// One-shot digest.
Bytes digest(Hash h, ByteView data);

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace wireproof::crypto
