#include <gtest/gtest.h>

#include "harness/dissect/dtls_builder.hpp"
#include "harness/dissect/dtls_dissector.hpp"

using namespace wireproof;
using namespace wireproof::dtls_builder;
using dissect::dissect_dtls;

TEST(DissectDtls, SingleHandshakeRecord) {
  auto d = datagram({handshake(2, 1, 7, 80)});
  auto r = dissect_dtls(d);
  ASSERT_FALSE(r.malformed) << *r.malformed;
  ASSERT_EQ(r.records.size(), 1u);
  const auto& rec = r.records[0];
  EXPECT_EQ(rec.offset, 0u);
  EXPECT_EQ(rec.type, 22);
  EXPECT_EQ(rec.version, 0xfefd);
  EXPECT_EQ(rec.epoch, 0);
  EXPECT_EQ(rec.seq, 7u);
  EXPECT_EQ(rec.length, 12u + 80u);
  ASSERT_TRUE(rec.hs);
  EXPECT_EQ(rec.hs->type, 2);
  EXPECT_EQ(rec.hs->name, "server_hello");
  EXPECT_EQ(rec.hs->length, 80u);
  EXPECT_EQ(rec.hs->message_seq, 1);
  EXPECT_EQ(rec.hs->frag_offset, 0u);
  EXPECT_EQ(rec.hs->frag_length, 80u);
}

TEST(DissectDtls, FortyEightBitSequenceNumber) {
  auto d = record(23, 3, 0x123456789abcULL, Bytes(5, 0));
  auto r = dissect_dtls(d);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].seq, 0x123456789abcULL);
  EXPECT_EQ(r.records[0].epoch, 3);
}

TEST(DissectDtls, SeveralRecordsPerDatagramWithOffsets) {
  auto d = datagram({handshake(16, 2, 3, 33, 0), ccs(0, 4), encrypted_handshake(0, 40), alert(1, 0, 5)});
  auto r = dissect_dtls(d);
  ASSERT_FALSE(r.malformed) << *r.malformed;
  ASSERT_EQ(r.records.size(), 4u);
  EXPECT_EQ(r.records[1].offset, 13u + 12u + 33u);
  EXPECT_EQ(r.records[1].type, 20);
  EXPECT_FALSE(r.records[1].hs);
  EXPECT_EQ(r.records[2].epoch, 1);
  EXPECT_FALSE(r.records[2].hs) << "encrypted handshake records stay opaque";
  ASSERT_TRUE(r.records[3].alert);
  EXPECT_EQ(r.records[3].alert->level, 1);
  EXPECT_EQ(r.records[3].alert->description, 0);
}

TEST(DissectDtls, FragmentHeader) {
  auto r = dissect_dtls(handshake(11, 2, 9, 3000, 1000, 500));
  ASSERT_FALSE(r.malformed) << *r.malformed;
  ASSERT_TRUE(r.records.at(0).hs);
  EXPECT_EQ(r.records[0].hs->name, "certificate");
  EXPECT_EQ(r.records[0].hs->frag_offset, 1000u);
  EXPECT_EQ(r.records[0].hs->frag_length, 500u);
  EXPECT_EQ(r.records[0].hs->length, 3000u);
}

TEST(DissectDtls, EncryptedAlertIsOpaque) {
  auto r = dissect_dtls(record(21, 1, 2, Bytes(26, 0x55)));
  ASSERT_FALSE(r.malformed);
  EXPECT_FALSE(r.records.at(0).alert);
}

TEST(DissectDtls, EmptyDatagramHasNoRecordsAndIsNotMalformed) {
  auto r = dissect_dtls({});
  EXPECT_TRUE(r.records.empty());
  EXPECT_FALSE(r.malformed);
}

TEST(DissectDtls, TruncatedSecondRecordKeepsFirst) {
  auto d = datagram({handshake(1, 0, 0, 20), handshake(1, 0, 1, 20)});
  const std::size_t first = 13 + 12 + 20;
  d.resize(first + 20);  // second record: header plus 7 of its 32 body bytes
  auto r = dissect_dtls(d);
  ASSERT_EQ(r.records.size(), 1u);
  ASSERT_TRUE(r.malformed);
  EXPECT_EQ(*r.malformed, "record 1 at offset 45: length 32 exceeds remaining 7");
}

TEST(DissectDtls, ShortRecordHeader) {
  auto d = datagram({app_data(1, 4)});
  d.push_back(0x17);
  d.push_back(0xfe);
  auto r = dissect_dtls(d);
  EXPECT_EQ(r.records.size(), 1u);
  ASSERT_TRUE(r.malformed);
  EXPECT_EQ(*r.malformed, "record 1 at offset 17: record header needs 13 bytes, 2 remain");
}

TEST(DissectDtls, HandshakeHeaderTooShort) {
  auto r = dissect_dtls(record(22, 0, 0, Bytes{1, 0, 0}));
  EXPECT_TRUE(r.records.empty());
  ASSERT_TRUE(r.malformed);
  EXPECT_EQ(*r.malformed, "record 0 at offset 0: handshake header needs 12 bytes, record has 3");
}

TEST(DissectDtls, FragmentLongerThanRecord) {
  auto d = handshake(1, 0, 0, 100);
  d.resize(d.size() - 10);
  d[12] = static_cast<std::uint8_t>(d[12] - 10);  // record length now matches the bytes present
  auto r = dissect_dtls(d);
  ASSERT_TRUE(r.malformed);
  EXPECT_EQ(*r.malformed, "record 0 at offset 0: client_hello fragment length 100 exceeds remaining 90");
}

TEST(DissectDtls, FragmentBeyondMessageLength) {
  auto r = dissect_dtls(handshake(11, 2, 0, 100, 90, 20));
  ASSERT_TRUE(r.malformed);
  EXPECT_EQ(*r.malformed, "record 0 at offset 0: certificate fragment 90+20 exceeds message length 100");
}

TEST(DissectDtls, PlaintextAlertWrongLength) {
  auto r = dissect_dtls(record(21, 0, 0, Bytes{2, 40, 0}));
  ASSERT_TRUE(r.malformed);
  EXPECT_EQ(*r.malformed, "record 0 at offset 0: plaintext alert must be 2 bytes, record has 3");
}

TEST(DissectDtls, GarbageIsNotDtls) {
  Bytes garbage{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1', '.', '1'};
  auto r = dissect_dtls(garbage);
  EXPECT_TRUE(r.records.empty());
  ASSERT_TRUE(r.malformed);
  EXPECT_EQ(*r.malformed, "record 0 at offset 0: unknown content type 71 (not a DTLS record)");
}

TEST(DissectDtls, TlsVersionIsNotDtls) {
  auto r = dissect_dtls(record(23, 0, 0, Bytes(4, 0), 0x0303));
  ASSERT_TRUE(r.malformed);
  EXPECT_EQ(*r.malformed, "record 0 at offset 0: version 0x0303 is not DTLS (0xfeXX)");
}

TEST(DissectDtls, EveryTruncationOfAFlightIsSafe) {
  auto d = datagram({handshake(2, 1, 1, 60), handshake(11, 2, 2, 300), handshake(14, 4, 4, 0)});
  for (std::size_t n = 0; n < d.size(); ++n) {
    std::vector<std::uint8_t> cut(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(n));
    auto r = dissect_dtls(cut);
    EXPECT_EQ(r.malformed.has_value(), n != 0 && n != 85 && n != 85 + 325) << n;
  }
}
