// Stateless HelloVerifyRequest cookies (RFC 6347 4.2.1):
//   Cookie = HMAC(Secret, Client-IP, Client-Parameters)
// The client parameters are the ClientHello fields that must not change
// between the first and second hello: version, random, session_id, suites,
// compression methods. Nothing is stored between the two hellos.
#pragma once

#include "impl/dtls/messages.hpp"

namespace wireproof::dtls {

constexpr std::size_t kCookieLen = 32;

crypto::Bytes make_cookie(crypto::ByteView secret, crypto::ByteView peer_address, const ClientHello& ch);
bool cookie_valid(crypto::ByteView secret, crypto::ByteView peer_address, const ClientHello& ch);

}  // namespace wireproof::dtls
