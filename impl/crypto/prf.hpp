// TLS 1.2 PRF (RFC 5246 section 5) through libcrypto's EVP_KDF "TLS1-PRF".
#pragma once

#include <string_view>

#include "impl/crypto/types.hpp"

namespace wireproof::crypto {

// PRF(secret, label, seed)[out_len] with P_<hash>. Throws CryptoError on failure.
Bytes tls12_prf(Hash h, ByteView secret, std::string_view label, ByteView seed, std::size_t out_len);

}  // namespace wireproof::crypto
