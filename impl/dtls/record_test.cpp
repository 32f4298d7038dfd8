#include <gtest/gtest.h>

#include "impl/crypto/test_util.hpp"
#include "impl/dtls/record_layer.hpp"

namespace wd = wireproof::dtls;
namespace wc = wireproof::crypto;
using wc::testing::hex;

TEST(ReplayWindow, RejectsReplayAndOld) {
  wd::ReplayWindow w;
  EXPECT_TRUE(w.check(5));
  w.mark(5);
  EXPECT_FALSE(w.check(5));  // replay
  EXPECT_TRUE(w.check(4));   // older but inside the window, unseen
  w.mark(4);
  EXPECT_FALSE(w.check(4));
  w.mark(100);  // shift by 95: 4 and 5 fall out
  EXPECT_EQ(w.highest(), 100u);
  EXPECT_FALSE(w.check(36));  // 100 - 64: just outside
  EXPECT_TRUE(w.check(37));   // oldest slot inside
  EXPECT_FALSE(w.check(5));
  EXPECT_FALSE(w.check(100));
  EXPECT_TRUE(w.check(101));
}

TEST(ReplayWindow, ShiftKeepsSeenBits) {
  wd::ReplayWindow w;
  for (std::uint64_t s : {10, 12, 14}) w.mark(s);
  w.mark(20);  // shift by 6
  EXPECT_FALSE(w.check(10));
  EXPECT_TRUE(w.check(11));
  EXPECT_FALSE(w.check(12));
  EXPECT_TRUE(w.check(13));
  EXPECT_FALSE(w.check(14));
  w.mark(73);  // 10 is now 63 back: still inside, still seen
  EXPECT_FALSE(w.check(10));
  EXPECT_TRUE(w.check(11));
  w.mark(74);
  EXPECT_FALSE(w.check(10));  // 64 back: outside, rejected as too old
}

TEST(RecordHeader, RoundTripAndBounds) {
  wireproof::bytes::Writer w;
  wd::RecordHeader h{wd::ContentType::handshake, wd::kDtls12, 1, 0x0000aabbccddeeULL, 3};
  wd::write_record_header(w, h);
  w.put_bytes(hex("010203"));
  EXPECT_EQ(w.data(), hex("16fefd000100aabbccddee0003010203"));
  wireproof::bytes::Reader r(w.data());
  wd::RecordHeader back;
  std::span<const std::uint8_t> frag;
  ASSERT_TRUE(wd::read_record(r, back, frag));
  EXPECT_EQ(back.seq, h.seq);
  EXPECT_EQ(back.epoch, 1);
  EXPECT_EQ(frag.size(), 3u);
  EXPECT_TRUE(r.empty());
  auto shortrec = hex("16fefd000100aabbccddee0004010203");  // claims 4, has 3
  wireproof::bytes::Reader r2(shortrec);
  EXPECT_FALSE(wd::read_record(r2, back, frag));
  EXPECT_EQ(r2.remaining(), shortrec.size());
  auto badtype = hex("63fefd000100aabbccddee0000");
  wireproof::bytes::Reader r3(badtype);
  EXPECT_FALSE(wd::read_record(r3, back, frag));
}

namespace {
std::unique_ptr<wd::RecordProtection> prot(wc::AeadKind k, std::uint8_t fill) {
  return std::make_unique<wd::RecordProtection>(k, wc::Bytes(wc::aead_key_len(k), fill),
                                                wc::Bytes(k == wc::AeadKind::chacha20_poly1305 ? 12 : 4, fill));
}
}  // namespace

class Protection : public ::testing::TestWithParam<wc::AeadKind> {};

TEST_P(Protection, RoundTripTamperReplay) {
  wd::RecordLayer tx, rx;
  tx.next_write_epoch(prot(GetParam(), 7));
  rx.next_read_epoch(prot(GetParam(), 7));
  auto msg = wc::as_bytes("hello record");
  auto rec = tx.protect(wd::ContentType::application_data, 1, msg);
  std::size_t expect_len = wd::kRecordHeaderLen + msg.size() + tx.overhead(1) - wd::kRecordHeaderLen;
  EXPECT_EQ(rec.size(), expect_len);
  auto got = rx.unprotect(rec);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, wc::Bytes(msg.begin(), msg.end()));
  EXPECT_EQ(got[0].epoch, 1);
  // Replay of the same record: dropped and counted.
  EXPECT_TRUE(rx.unprotect(rec).empty());
  EXPECT_EQ(rx.stats().replayed, 1u);
  // A flipped bit anywhere in header or body fails authentication, silently.
  auto rec2 = tx.protect(wd::ContentType::application_data, 1, msg);
  for (std::size_t at : {std::size_t{9}, rec2.size() - 1, std::size_t{20}}) {  // seq, tag, body
    auto bad = rec2;
    bad[at] ^= 0x01;
    EXPECT_TRUE(rx.unprotect(bad).empty());
  }
  EXPECT_EQ(rx.stats().auth_failures, 3u);
  // The authentic record still opens: failures did not move the window.
  EXPECT_EQ(rx.unprotect(rec2).size(), 1u);
}

TEST_P(Protection, WrongKeyFails) {
  wd::RecordLayer tx, rx;
  tx.next_write_epoch(prot(GetParam(), 7));
  rx.next_read_epoch(prot(GetParam(), 8));
  EXPECT_TRUE(rx.unprotect(tx.protect(wd::ContentType::application_data, 1, wc::as_bytes("x"))).empty());
  EXPECT_EQ(rx.stats().auth_failures, 1u);
}

INSTANTIATE_TEST_SUITE_P(Kinds, Protection,
                         ::testing::Values(wc::AeadKind::aes_128_gcm, wc::AeadKind::aes_256_gcm,
                                           wc::AeadKind::chacha20_poly1305));

TEST(RecordLayer, GcmCarriesExplicitNonceChachaDoesNot) {
  wd::RecordLayer a, b;
  a.next_write_epoch(prot(wc::AeadKind::aes_128_gcm, 1));
  b.next_write_epoch(prot(wc::AeadKind::chacha20_poly1305, 1));
  EXPECT_EQ(a.protect(wd::ContentType::alert, 1, hex("0100")).size(), 13u + 8 + 2 + 16);
  EXPECT_EQ(b.protect(wd::ContentType::alert, 1, hex("0100")).size(), 13u + 2 + 16);
}

TEST(RecordLayer, SeveralRecordsPerDatagramAndEarlyEpochHeld) {
  wd::RecordLayer tx, rx;
  auto d0 = tx.protect(wd::ContentType::handshake, 0, hex("aa"));
  tx.next_write_epoch(prot(wc::AeadKind::aes_128_gcm, 3));
  auto d1 = tx.protect(wd::ContentType::handshake, 1, hex("bb"));
  wc::Bytes datagram = d0;
  datagram.insert(datagram.end(), d1.begin(), d1.end());
  auto got = rx.unprotect(datagram);
  ASSERT_EQ(got.size(), 1u);  // epoch 1 not installed yet: held
  EXPECT_EQ(got[0].data, hex("aa"));
  rx.next_read_epoch(prot(wc::AeadKind::aes_128_gcm, 3));
  auto held = rx.take_held();
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].data, hex("bb"));
  EXPECT_EQ(held[0].epoch, 1);
}

// The GCM wire format, built independently with the generic AEAD: header ||
// epoch||seq || Aead(salt || epoch||seq, AAD, plaintext). Pinned across sequence
// numbers set back (reuse-sequence-number, HelloVerifyRequest) and two epochs.
TEST(RecordLayer, GcmWireBytesAreRfc5288) {
  const wc::Bytes key(16, 7), salt(4, 7);
  wd::RecordLayer tx;
  tx.next_write_epoch(prot(wc::AeadKind::aes_128_gcm, 7));
  auto expect = [&](std::uint16_t epoch, std::uint64_t seq, wc::ByteView pt) {
    const std::uint64_t es = wd::epoch_seq(epoch, seq);
    wc::Bytes e(8);
    for (int i = 0; i < 8; ++i) e[i] = static_cast<std::uint8_t>(es >> (56 - 8 * i));
    wc::Bytes aad = e;
    aad.insert(aad.end(), {23, 0xfe, 0xfd, static_cast<std::uint8_t>(pt.size() >> 8),
                           static_cast<std::uint8_t>(pt.size())});
    wc::Bytes nonce = salt;
    nonce.insert(nonce.end(), e.begin(), e.end());
    const std::size_t len = 8 + pt.size() + 16;
    wc::Bytes rec{23, 0xfe, 0xfd, static_cast<std::uint8_t>(epoch >> 8), static_cast<std::uint8_t>(epoch)};
    for (int i = 5; i >= 0; --i) rec.push_back(static_cast<std::uint8_t>(seq >> (8 * i)));
    rec.insert(rec.end(), {static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len)});
    rec.insert(rec.end(), e.begin(), e.end());
    wc::Aead(wc::AeadKind::aes_128_gcm, key).seal_append(nonce, aad, pt, rec);
    return rec;
  };
  auto msg = wc::as_bytes("application data");
  for (std::uint64_t seq : {0, 1, 2}) EXPECT_EQ(tx.protect(wd::ContentType::application_data, 1, msg), expect(1, seq, msg));
  tx.set_next_write_seq(1, 1);  // back: the next record reuses number 1
  EXPECT_EQ(tx.protect(wd::ContentType::application_data, 1, msg), expect(1, 1, msg));
  EXPECT_EQ(tx.protect(wd::ContentType::application_data, 1, msg), expect(1, 2, msg));
  tx.set_next_write_seq(1, 500);  // forward
  EXPECT_EQ(tx.protect(wd::ContentType::application_data, 1, msg), expect(1, 500, msg));
  tx.next_write_epoch(prot(wc::AeadKind::aes_128_gcm, 7));  // same key in epoch 2: the nonce still differs
  EXPECT_EQ(tx.protect(wd::ContentType::application_data, 2, msg), expect(2, 0, msg));
  EXPECT_EQ(tx.protect(wd::ContentType::application_data, 1, msg), expect(1, 501, msg));  // back to epoch 1
}

TEST(RecordLayer, UnprotectIntoReusedVector) {
  wd::RecordLayer tx, rx;
  tx.next_write_epoch(prot(wc::AeadKind::aes_128_gcm, 5));
  rx.next_read_epoch(prot(wc::AeadKind::aes_128_gcm, 5));
  std::vector<wd::ReceivedRecord> got;
  auto r1 = tx.protect(wd::ContentType::application_data, 1, hex("01"));
  auto r2 = tx.protect(wd::ContentType::application_data, 1, hex("0202"));
  rx.unprotect(r1, got);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, hex("01"));
  rx.unprotect(r2, got);  // cleared first, not appended to
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data, hex("0202"));
  EXPECT_EQ(got[0].seq, 1u);
  rx.unprotect(r1, got);  // a replay leaves it empty
  EXPECT_TRUE(got.empty());
  auto bad = tx.protect(wd::ContentType::application_data, 1, hex("03"));
  bad.back() ^= 1;
  rx.unprotect(bad, got);  // so does a forgery
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(rx.stats().replayed, 1u);
  EXPECT_EQ(rx.stats().auth_failures, 1u);
}

TEST(RecordLayer, TrailingGarbageCounted) {
  wd::RecordLayer tx, rx;
  auto d = tx.protect(wd::ContentType::handshake, 0, hex("aa"));
  d.push_back(0x16);
  EXPECT_EQ(rx.unprotect(d).size(), 1u);
  EXPECT_EQ(rx.stats().malformed, 1u);
}

TEST(RecordLayer, Epoch0HasNoWindowAForgedHighNumberCanMove) {
  // Epoch 0 is unauthenticated: a record numbered 2^48-1 must not make later genuine
  // (low-numbered) epoch-0 records look too old. Protected epochs keep their window.
  wd::RecordLayer tx, rx;
  tx.set_next_write_seq(0, wd::kMaxSeq);
  EXPECT_EQ(rx.unprotect(tx.protect(wd::ContentType::handshake, 0, hex("01"))).size(), 1u);
  tx.set_next_write_seq(0, 3);
  auto genuine = tx.protect(wd::ContentType::handshake, 0, hex("02"));
  EXPECT_EQ(rx.unprotect(genuine).size(), 1u);
  EXPECT_EQ(rx.unprotect(genuine).size(), 1u);  // a copy too: the handshake layer de-duplicates
  EXPECT_EQ(rx.stats().replayed, 0u);
}
