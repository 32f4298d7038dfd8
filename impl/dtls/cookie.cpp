#include "impl/dtls/cookie.hpp"

#include "impl/crypto/hmac.hpp"

namespace wireproof::dtls {

crypto::Bytes make_cookie(crypto::ByteView secret, crypto::ByteView peer_address, const ClientHello& ch) {
  bytes::Writer w;
  auto a = w.open_prefixed(1);
  w.put_bytes(peer_address);
  w.close_prefixed(a);
  w.put_u16(ch.version);
  w.put_bytes(ch.random);
  auto s = w.open_prefixed(1);
  w.put_bytes(ch.session_id);
  w.close_prefixed(s);
  auto cs = w.open_prefixed(2);
  for (auto c : ch.cipher_suites) w.put_u16(c);
  w.close_prefixed(cs);
  auto cm = w.open_prefixed(1);
  w.put_bytes(ch.compression_methods);
  w.close_prefixed(cm);
  return crypto::hmac(crypto::Hash::sha256, secret, w.data());
}

bool cookie_valid(crypto::ByteView secret, crypto::ByteView peer_address, const ClientHello& ch) {
  return crypto::equal_ct(make_cookie(secret, peer_address, ch), ch.cookie);
}

}  // namespace wireproof::dtls
