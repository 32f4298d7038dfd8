#include "impl/dtls/record_protection.hpp"

#include <algorithm>

namespace wireproof::dtls {

namespace {
void put_be(std::uint8_t* p, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * (n - 1 - i)));
}
}  // namespace

RecordProtection::RecordProtection(crypto::AeadKind kind, crypto::ByteView key, crypto::ByteView iv)
    : aead_(kind, key), iv_(iv.begin(), iv.end()) {
  if (iv_.size() != (explicit_nonce() ? 4u : 12u)) throw crypto::CryptoError("record IV has the wrong length");
}

std::size_t RecordProtection::expansion() const { return (explicit_nonce() ? 8 : 0) + crypto::kAeadTagLen; }

RecordProtection::Nonce RecordProtection::nonce(std::uint64_t v) const {
  Nonce n{};
  if (explicit_nonce()) {
    std::copy(iv_.begin(), iv_.end(), n.begin());
    put_be(n.data() + 4, v, 8);
  } else {
    std::copy(iv_.begin(), iv_.end(), n.begin());
    for (int i = 0; i < 8; ++i) n[4 + i] ^= static_cast<std::uint8_t>(v >> (56 - 8 * i));
  }
  return n;
}

RecordProtection::Aad RecordProtection::aad(const RecordHeader& h, std::size_t plaintext_len) {
  Aad a{};
  put_be(a.data(), epoch_seq(h.epoch, h.seq), 8);
  a[8] = static_cast<std::uint8_t>(h.type);
  put_be(a.data() + 9, h.version, 2);
  put_be(a.data() + 11, static_cast<std::uint16_t>(plaintext_len), 2);
  return a;
}

void RecordProtection::seal_append(const RecordHeader& h, crypto::ByteView plaintext, crypto::Bytes& out) {
  std::uint64_t es = epoch_seq(h.epoch, h.seq);
  out.reserve(out.size() + expansion() + plaintext.size());
  if (explicit_nonce()) {
    std::uint8_t explicit_part[8];
    put_be(explicit_part, es, 8);
    out.insert(out.end(), explicit_part, explicit_part + 8);
  }
  aead_.seal_append(nonce(es), aad(h, plaintext.size()), plaintext, out);
}

crypto::Bytes RecordProtection::seal(const RecordHeader& h, crypto::ByteView plaintext) {
  crypto::Bytes out;
  seal_append(h, plaintext, out);
  return out;
}

std::optional<crypto::Bytes> RecordProtection::open(const RecordHeader& h, crypto::ByteView fragment) {
  if (fragment.size() < expansion()) return std::nullopt;
  bytes::Reader r(fragment);
  std::uint64_t n = epoch_seq(h.epoch, h.seq);
  if (explicit_nonce() && !r.get_u64(n)) return std::nullopt;
  crypto::ByteView body = r.rest();
  return aead_.open(nonce(n), aad(h, body.size() - crypto::kAeadTagLen), body);
}

bool RecordProtection::open(const RecordHeader& h, crypto::ByteView fragment, crypto::Bytes& out) {
  auto pt = open(h, fragment);
  if (!pt) return false;
  out = std::move(*pt);
  return true;
}

}  // namespace wireproof::dtls
