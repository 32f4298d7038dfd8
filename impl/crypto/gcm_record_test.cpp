// GcmRecord (TLS record mode seal, explicit-nonce open) against the generic
// Aead: same bytes for every size and nonce order, same verdicts on forgeries.
#include <gtest/gtest.h>

#include <openssl/err.h>

#include "impl/crypto/aead.hpp"
#include "impl/crypto/test_util.hpp"

namespace wc = wireproof::crypto;
using wc::testing::hex;

namespace {

wc::Bytes be64(std::uint64_t v) {
  wc::Bytes b(8);
  for (int i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
  return b;
}

// The 13-byte TLS AAD: seq_num (here the explicit part), type, version, length.
wc::Bytes tls_aad(std::uint64_t seq, std::size_t len) {
  wc::Bytes a = be64(seq);
  a.insert(a.end(), {23, 0xfe, 0xfd, static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len)});
  return a;
}

wc::Bytes plaintext(std::size_t n, std::uint8_t seed) {
  wc::Bytes p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(seed + 7 * i);
  return p;
}

// What RFC 5288 says the fragment is, built with the generic Aead.
wc::Bytes generic_fragment(wc::AeadKind kind, const wc::Bytes& key, const wc::Bytes& salt, std::uint64_t expl,
                           const wc::Bytes& pt) {
  wc::Bytes nonce = salt;
  wc::Bytes e = be64(expl);
  nonce.insert(nonce.end(), e.begin(), e.end());
  wc::Bytes out = e;
  wc::Aead(kind, key).seal_append(nonce, tls_aad(expl, pt.size()), pt, out);
  return out;
}

}  // namespace

TEST(GcmRecord, SameBytesAsGenericAeadInAnyNonceOrder) {
  for (auto kind : {wc::AeadKind::aes_128_gcm, wc::AeadKind::aes_256_gcm}) {
    const wc::Bytes key(wc::aead_key_len(kind), 0x3c), salt = hex("a1b2c3d4");
    wc::GcmRecord tx(kind, key, salt), rx(kind, key, salt);
    // In order, then a jump forward, a step back (a reused number), a repeat, and
    // the 64-bit counter's wrap: the whole nonce is set again whenever needed.
    const std::uint64_t order[] = {0, 1, 2, 3, 1000, 1001, 5, 5, 6, 0xffffffffffffffffULL, 0, 1, 0x0001000000000000ULL};
    std::size_t i = 0;
    for (std::uint64_t expl : order) {
      for (std::size_t len : {std::size_t{0}, std::size_t{1}, std::size_t{16}, std::size_t{17}, std::size_t{1024}}) {
        SCOPED_TRACE(testing::Message() << "explicit " << expl << " len " << len);
        auto pt = plaintext(len, static_cast<std::uint8_t>(i++));
        wc::Bytes out = hex("0102");  // appended to, not replaced
        tx.seal_append(expl, tls_aad(expl, len), pt, out);
        wc::Bytes want = hex("0102"), frag = generic_fragment(kind, key, salt, expl, pt);
        want.insert(want.end(), frag.begin(), frag.end());
        ASSERT_EQ(out, want);
        wc::Bytes back = hex("ff");
        ASSERT_TRUE(rx.open(tls_aad(expl, len), frag, back));
        EXPECT_EQ(back, pt);
      }
    }
  }
}

TEST(GcmRecord, LargestRecord) {
  const wc::Bytes key(16, 9), salt = hex("00000001");
  wc::GcmRecord tx(wc::AeadKind::aes_128_gcm, key, salt), rx(wc::AeadKind::aes_128_gcm, key, salt);
  auto pt = plaintext(1u << 14, 1);
  wc::Bytes frag;
  tx.seal_append(77, tls_aad(77, pt.size()), pt, frag);
  EXPECT_EQ(frag, generic_fragment(wc::AeadKind::aes_128_gcm, key, salt, 77, pt));
  wc::Bytes back;
  ASSERT_TRUE(rx.open(tls_aad(77, pt.size()), frag, back));
  EXPECT_EQ(back, pt);
  EXPECT_THROW(tx.seal_append(78, tls_aad(78, 0), plaintext((1u << 14) + 1, 0), frag), wc::CryptoError);
}

TEST(GcmRecord, ForgeriesFailAndLeaveNoTrace) {
  const wc::Bytes key(16, 5), salt = hex("cafebabe");
  wc::GcmRecord tx(wc::AeadKind::aes_128_gcm, key, salt), rx(wc::AeadKind::aes_128_gcm, key, salt);
  auto pt = plaintext(100, 3);
  wc::Bytes frag;
  tx.seal_append(42, tls_aad(42, pt.size()), pt, frag);
  ERR_clear_error();
  // Every byte of explicit nonce, ciphertext and tag is covered.
  for (std::size_t at = 0; at < frag.size(); ++at) {
    auto bad = frag;
    bad[at] ^= 0x80;
    wc::Bytes out;
    EXPECT_FALSE(rx.open(tls_aad(42, pt.size()), bad, out)) << "byte " << at;
    EXPECT_TRUE(out.empty()) << "unauthenticated plaintext handed on, byte " << at;
  }
  wc::Bytes out;
  EXPECT_FALSE(rx.open(tls_aad(43, pt.size()), frag, out));         // other AAD (sequence number)
  EXPECT_FALSE(rx.open(tls_aad(42, pt.size()), {frag.data(), 23}, out));  // shorter than explicit + tag
  EXPECT_FALSE(wc::GcmRecord(wc::AeadKind::aes_128_gcm, wc::Bytes(16, 6), salt).open(tls_aad(42, pt.size()), frag, out));
  EXPECT_FALSE(wc::GcmRecord(wc::AeadKind::aes_128_gcm, key, hex("cafebabf")).open(tls_aad(42, pt.size()), frag, out));
  EXPECT_EQ(ERR_peek_error(), 0u) << "a failed open left errors queued";
  // The context is still good for the authentic record.
  ASSERT_TRUE(rx.open(tls_aad(42, pt.size()), frag, out));
  EXPECT_EQ(out, pt);
}

TEST(GcmRecord, RejectsWrongShapes) {
  EXPECT_THROW(wc::GcmRecord(wc::AeadKind::chacha20_poly1305, wc::Bytes(32, 1), hex("00000000")), wc::CryptoError);
  EXPECT_THROW(wc::GcmRecord(wc::AeadKind::aes_128_gcm, wc::Bytes(32, 1), hex("00000000")), wc::CryptoError);
  EXPECT_THROW(wc::GcmRecord(wc::AeadKind::aes_128_gcm, wc::Bytes(16, 1), hex("000000")), wc::CryptoError);
  wc::GcmRecord g(wc::AeadKind::aes_128_gcm, wc::Bytes(16, 1), hex("00000000"));
  wc::Bytes out;
  EXPECT_THROW(g.seal_append(1, hex("00"), hex("00"), out), wc::CryptoError);
}
