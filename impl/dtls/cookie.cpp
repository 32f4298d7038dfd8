#include "impl/dtls/cookie.hpp"

#include "impl/crypto/hmac.hpp"

namespace wireproof::dtls {

crypto::Bytes make_cookie(crypto::ByteView secret, crypto::ByteView peer_address, const ClientHello& ch) {
  bytes::Writer w;
  w.put_prefixed(1, peer_address);
  w.put_u16(ch.version);
  w.put_bytes(ch.random);
  w.put_prefixed(1, ch.session_id);
  w.put_u16_list(2, ch.cipher_suites);
  w.put_prefixed(1, ch.compression_methods);
  return crypto::hmac(crypto::Hash::sha256, secret, w.data());
}

bool cookie_valid(crypto::ByteView secret, crypto::ByteView peer_address, const ClientHello& ch) {
  return crypto::equal_ct(make_cookie(secret, peer_address, ch), ch.cookie);
}

}  // namespace wireproof::dtls
