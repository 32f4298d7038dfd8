#include "impl/dtls/record_protection.hpp"

#include <algorithm>

namespace wireproof::dtls {

namespace {
void put_be(std::uint8_t* p, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * (n - 1 - i)));
}
}  // namespace

RecordProtection::RecordProtection(crypto::AeadKind kind, crypto::ByteView key, crypto::ByteView iv)
    : iv_(iv.begin(), iv.end()) {
  if (kind == crypto::AeadKind::chacha20_poly1305) {
    if (iv.size() != crypto::kAeadNonceLen) throw crypto::CryptoError("record IV has the wrong length");
    chacha_.emplace(kind, key);
  } else {
    if (iv.size() != crypto::GcmRecord::kSaltLen) throw crypto::CryptoError("record IV has the wrong length");
    gcm_.emplace(kind, key, iv);
  }
}

std::size_t RecordProtection::expansion() const { return (explicit_nonce() ? 8 : 0) + crypto::kAeadTagLen; }

// RFC 7905 2: the 12-byte write IV xor the left-padded epoch||seq.
RecordProtection::Nonce RecordProtection::chacha_nonce(std::uint64_t v) const {
  Nonce n{};
  std::copy(iv_.begin(), iv_.end(), n.begin());
  for (int i = 0; i < 8; ++i) n[4 + i] ^= static_cast<std::uint8_t>(v >> (56 - 8 * i));
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
  const std::uint64_t es = epoch_seq(h.epoch, h.seq);
  const Aad a = aad(h, plaintext.size());
  if (gcm_) {
    gcm_->seal_append(es, a, plaintext, out);  // explicit part: epoch||seq
    return;
  }
  chacha_->seal_append(chacha_nonce(es), a, plaintext, out);
}

crypto::Bytes RecordProtection::seal(const RecordHeader& h, crypto::ByteView plaintext) {
  crypto::Bytes out;
  seal_append(h, plaintext, out);
  return out;
}

bool RecordProtection::open(const RecordHeader& h, crypto::ByteView fragment, crypto::Bytes& out) {
  if (fragment.size() < expansion()) return false;
  const std::size_t plaintext_len = fragment.size() - expansion();
  if (gcm_) return gcm_->open(aad(h, plaintext_len), fragment, out);
  auto pt = chacha_->open(chacha_nonce(epoch_seq(h.epoch, h.seq)), aad(h, plaintext_len), fragment);
  if (!pt) return false;
  out = std::move(*pt);
  return true;
}

std::optional<crypto::Bytes> RecordProtection::open(const RecordHeader& h, crypto::ByteView fragment) {
  crypto::Bytes out;
  if (!open(h, fragment, out)) return std::nullopt;
  return out;
}

}  // namespace wireproof::dtls
