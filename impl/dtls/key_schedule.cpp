#include "impl/dtls/key_schedule.hpp"

#include "impl/bytes/writer.hpp"
#include "impl/crypto/prf.hpp"

namespace wireproof::dtls {

namespace {
crypto::Bytes concat(crypto::ByteView a, crypto::ByteView b) {
  crypto::Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}
}  // namespace

crypto::Bytes master_secret(const CipherSuite& cs, crypto::ByteView pre_master, bool ems,
                            crypto::ByteView session_hash, crypto::ByteView client_random,
                            crypto::ByteView server_random) {
  if (ems) return crypto::tls12_prf(cs.prf_hash, pre_master, "extended master secret", session_hash, 48);
  return crypto::tls12_prf(cs.prf_hash, pre_master, "master secret", concat(client_random, server_random), 48);
}

KeyBlock key_block(const CipherSuite& cs, crypto::ByteView master, crypto::ByteView client_random,
                   crypto::ByteView server_random) {
  std::size_t key_len = crypto::aead_key_len(cs.aead);
  std::size_t iv_len = cs.fixed_iv_len;
  crypto::Bytes kb =
      crypto::tls12_prf(cs.prf_hash, master, "key expansion", concat(server_random, client_random),
                        2 * key_len + 2 * iv_len);
  auto take = [&, at = std::size_t{0}](std::size_t n) mutable {
    crypto::Bytes out(kb.begin() + static_cast<long>(at), kb.begin() + static_cast<long>(at + n));
    at += n;
    return out;
  };
  KeyBlock out;
  out.client_write.key = take(key_len);
  out.server_write.key = take(key_len);
  out.client_write.iv = take(iv_len);
  out.server_write.iv = take(iv_len);
  return out;
}

crypto::Bytes finished_verify_data(const CipherSuite& cs, crypto::ByteView master, bool from_client,
                                   crypto::ByteView transcript) {
  return crypto::tls12_prf(cs.prf_hash, master, from_client ? "client finished" : "server finished",
                           crypto::digest(cs.prf_hash, transcript), 12);
}

crypto::Bytes psk_pre_master(crypto::ByteView psk) {
  bytes::Writer w;
  w.put_u16(static_cast<std::uint16_t>(psk.size()));
  w.put_zeros(psk.size());
  w.put_u16(static_cast<std::uint16_t>(psk.size()));
  w.put_bytes(psk);
  return w.take();
}

}  // namespace wireproof::dtls
