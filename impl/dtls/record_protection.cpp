#include "impl/dtls/record_protection.hpp"

namespace wireproof::dtls {

RecordProtection::RecordProtection(crypto::AeadKind kind, crypto::ByteView key, crypto::ByteView iv)
    : aead_(kind, key), iv_(iv.begin(), iv.end()) {
  if (iv_.size() != (explicit_nonce() ? 4u : 12u)) throw crypto::CryptoError("record IV has the wrong length");
}

std::size_t RecordProtection::expansion() const { return (explicit_nonce() ? 8 : 0) + crypto::kAeadTagLen; }

crypto::Bytes RecordProtection::nonce(std::uint64_t v) const {
  crypto::Bytes n(12, 0);
  if (explicit_nonce()) {
    std::copy(iv_.begin(), iv_.end(), n.begin());
    for (int i = 0; i < 8; ++i) n[4 + i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
  } else {
    n = iv_;
    for (int i = 0; i < 8; ++i) n[4 + i] ^= static_cast<std::uint8_t>(v >> (56 - 8 * i));
  }
  return n;
}

crypto::Bytes RecordProtection::aad(const RecordHeader& h, std::size_t plaintext_len) {
  bytes::Writer w;
  w.put_u64(epoch_seq(h.epoch, h.seq));
  w.put_u8(static_cast<std::uint8_t>(h.type));
  w.put_u16(h.version);
  w.put_u16(static_cast<std::uint16_t>(plaintext_len));
  return w.take();
}

crypto::Bytes RecordProtection::seal(const RecordHeader& h, crypto::ByteView plaintext) const {
  std::uint64_t es = epoch_seq(h.epoch, h.seq);
  crypto::Bytes sealed = aead_.seal(nonce(es), aad(h, plaintext.size()), plaintext);
  if (!explicit_nonce()) return sealed;
  bytes::Writer w;
  w.put_u64(es);
  w.put_bytes(sealed);
  return w.take();
}

std::optional<crypto::Bytes> RecordProtection::open(const RecordHeader& h, crypto::ByteView fragment) const {
  if (fragment.size() < expansion()) return std::nullopt;
  bytes::Reader r(fragment);
  std::uint64_t n = epoch_seq(h.epoch, h.seq);
  if (explicit_nonce() && !r.get_u64(n)) return std::nullopt;
  crypto::ByteView body = r.rest();
  return aead_.open(nonce(n), aad(h, body.size() - crypto::kAeadTagLen), body);
}

}  // namespace wireproof::dtls
