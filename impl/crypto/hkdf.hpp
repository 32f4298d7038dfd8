// HKDF (RFC 5869) through libcrypto's EVP_KDF "HKDF", and TLS 1.3's
// HKDF-Expand-Label (RFC 8446 7.1) over it: the one derivation the harness's
// record decryption and the reference TLS 1.3 key schedule both use.
#pragma once

#include <string_view>

#include "impl/crypto/types.hpp"

namespace wireproof::crypto {

// HKDF-Extract(salt, ikm): hash_len(h) bytes. Throws CryptoError on failure.
Bytes hkdf_extract(Hash h, ByteView salt, ByteView ikm);
// HKDF-Expand(prk, info, out_len). Throws CryptoError on failure.
Bytes hkdf_expand(Hash h, ByteView prk, ByteView info, std::size_t out_len);
// HKDF-Expand-Label(secret, label, context, out_len): HkdfLabel is
// length || "tls13 " + label || context (RFC 8446 7.1).
Bytes hkdf_expand_label(Hash h, ByteView secret, std::string_view label, ByteView context, std::size_t out_len);

}  // namespace wireproof::crypto
