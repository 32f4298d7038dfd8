// HMAC (RFC 2104) through EVP_MAC; used for stateless DTLS cookies.
#pragma once

#include "impl/crypto/types.hpp"

namespace wireproof::crypto {

Bytes hmac(Hash h, ByteView key, ByteView data);

// Constant-time comparison of equal-length buffers (false if lengths differ).
bool equal_ct(ByteView a, ByteView b);

}  // namespace wireproof::crypto
