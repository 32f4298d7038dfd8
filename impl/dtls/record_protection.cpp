#include "impl/dtls/record_protection.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace wireproof::dtls {

namespace {
void store_be64(std::uint8_t* p, std::uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
  std::memcpy(p, &v, sizeof v);
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

void RecordProtection::fill_aad(const RecordHeader& h, std::size_t plaintext_len, Aad& a) {
  store_be64(a.data(), epoch_seq(h.epoch, h.seq));
  a[8] = static_cast<std::uint8_t>(h.type);
  a[9] = static_cast<std::uint8_t>(h.version >> 8);
  a[10] = static_cast<std::uint8_t>(h.version);
  a[11] = static_cast<std::uint8_t>(plaintext_len >> 8);
  a[12] = static_cast<std::uint8_t>(plaintext_len);
}

void RecordProtection::seal_append(const RecordHeader& h, crypto::ByteView plaintext, crypto::Bytes& out) {
  const std::uint64_t es = epoch_seq(h.epoch, h.seq);
  Aad a;
  fill_aad(h, plaintext.size(), a);
  if (gcm_) {
    gcm_->seal_append(es, a, plaintext, out);  // explicit part: epoch||seq
    return;
  }
  chacha_->seal_append(chacha_nonce(es), a, plaintext, out);
}

bool RecordProtection::open(const RecordHeader& h, crypto::ByteView fragment, crypto::Bytes& out) {
  if (fragment.size() < expansion()) return false;
  Aad a;
  fill_aad(h, fragment.size() - expansion(), a);
  if (gcm_) return gcm_->open(a, fragment, out);
  auto pt = chacha_->open(chacha_nonce(epoch_seq(h.epoch, h.seq)), a, fragment);
  if (!pt) return false;
  out = std::move(*pt);
  return true;
}

}  // namespace wireproof::dtls
