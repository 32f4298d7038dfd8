// TLS records at stream offsets and the handshake messages they carry in
// clear, over crafted streams: records spanning nothing but themselves,
// several in a row, a stream cut inside a record, a non-TLS peer, messages
// spanning records and records carrying several messages.
#include "harness/dissect/tls_records.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wireproof::dissect {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes record(std::uint8_t type, const Bytes& body, std::uint16_t version = 0x0303) {
  Bytes r{type, static_cast<std::uint8_t>(version >> 8), static_cast<std::uint8_t>(version),
          static_cast<std::uint8_t>(body.size() >> 8), static_cast<std::uint8_t>(body.size())};
  r.insert(r.end(), body.begin(), body.end());
  return r;
}

Bytes message(std::uint8_t type, std::size_t length, std::uint8_t fill) {
  Bytes m{type, static_cast<std::uint8_t>(length >> 16), static_cast<std::uint8_t>(length >> 8),
          static_cast<std::uint8_t>(length)};
  m.insert(m.end(), length, fill);
  return m;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes slice(const Bytes& b, std::size_t from, std::size_t to) { return Bytes(b.begin() + from, b.begin() + to); }

TEST(TlsRecords, RecordsBackToBackAtTheirStreamOffsets) {
  Bytes stream = cat({record(kHandshake, Bytes(10, 1)), record(kChangeCipherSpec, {1}), record(kApplicationData, Bytes(300, 7))});
  auto walk = walk_tls_records(stream);
  ASSERT_EQ(walk.records.size(), 3u);
  EXPECT_FALSE(walk.fault);
  EXPECT_EQ(walk.partial_bytes, 0u);
  EXPECT_EQ(walk.records[0].offset, 0u);
  EXPECT_EQ(walk.records[1].offset, 15u);
  EXPECT_EQ(walk.records[2].offset, 21u);
  EXPECT_EQ(walk.records[2].length, 300u);
  EXPECT_EQ(walk.records[2].end(), stream.size());
  EXPECT_EQ(walk.records[1].type, kChangeCipherSpec);
  EXPECT_EQ(walk.records[0].version, 0x0303);
  EXPECT_EQ(first_of_type(walk, kChangeCipherSpec), 1u);
  EXPECT_EQ(first_of_type(walk, kAlert), 3u) << "none: records.size()";
}

TEST(TlsRecords, AStreamCutInsideARecordKeepsTheWholeOnesAndCountsTheRest) {
  Bytes stream = cat({record(kHandshake, Bytes(10, 1)), slice(record(kHandshake, Bytes(100, 2)), 0, 40)});
  auto walk = walk_tls_records(stream);
  ASSERT_EQ(walk.records.size(), 1u);
  EXPECT_FALSE(walk.fault) << "an unfinished record is not malformed: the stream may still be arriving";
  EXPECT_EQ(walk.partial_bytes, 40u);
  auto header_only = walk_tls_records(slice(stream, 0, 18));  // 3 bytes of the second header
  EXPECT_EQ(header_only.records.size(), 1u);
  EXPECT_EQ(header_only.partial_bytes, 3u);
}

TEST(TlsRecords, APlaintextPeerIsNamedAtTheFirstByteThatIsNotTls) {
  std::string http = "HTTP/1.1 400 Bad Request\r\n\r\n";
  auto walk = walk_tls_records(Bytes(http.begin(), http.end()));
  EXPECT_TRUE(walk.records.empty());
  ASSERT_TRUE(walk.fault);
  EXPECT_EQ(*walk.fault, "record 0 at offset 0: content type 72 (0x48) is not a TLS content type (RFC 8446 5.1)");
  Bytes bad_version = cat({record(kAlert, {2, 40}), record(kHandshake, {0}, 0x0200)});
  auto walk2 = walk_tls_records(bad_version);
  EXPECT_EQ(walk2.records.size(), 1u);
  ASSERT_TRUE(walk2.fault);
  EXPECT_EQ(walk2.fault_offset, 7u);
  EXPECT_NE(walk2.fault->find("legacy version major byte 2"), std::string::npos) << *walk2.fault;
}

TEST(TlsRecords, AMessageSpanningRecordsIsReassembledWithItsRecordSpan) {
  // A 600-byte Certificate (604 bytes with its header) in records of 250, 2 and 354 bytes, the last one
  // also carrying half of the next message's header; the other half in a 4th record.
  Bytes cert = message(11, 600, 0xcc);
  Bytes done = message(14, 0, 0);  // ServerHelloDone: an empty body
  Bytes all = cat({cert, done});
  Bytes stream = cat({record(kHandshake, slice(all, 0, 250)), record(kHandshake, slice(all, 250, 252)),
                      record(kHandshake, slice(all, 252, 606)), record(kHandshake, slice(all, 606, all.size()))});
  auto hs = plaintext_handshake(walk_tls_records(stream), SIZE_MAX);
  ASSERT_EQ(hs.messages.size(), 2u);
  const auto& c = hs.messages[0];
  EXPECT_EQ(c.type, 11);
  EXPECT_EQ(c.length, 600u);
  EXPECT_TRUE(c.complete);
  EXPECT_EQ(c.body, Bytes(600, 0xcc));
  EXPECT_EQ(c.offset, 5u);
  EXPECT_EQ(c.first_record, 0u);
  EXPECT_EQ(c.last_record, 2u);
  const auto& d = hs.messages[1];
  EXPECT_EQ(d.type, 14);
  EXPECT_TRUE(d.complete) << "a zero-length message is complete at its header";
  EXPECT_EQ(d.first_record, 2u) << "its header starts in record 2 and ends in record 3";
  EXPECT_EQ(d.last_record, 3u);
}

TEST(TlsRecords, SeveralMessagesInOneRecordEachAtItsOffset) {
  Bytes stream = record(kHandshake, cat({message(2, 70, 1), message(11, 30, 2), message(14, 0, 0)}));
  auto hs = plaintext_handshake(walk_tls_records(stream), SIZE_MAX);
  ASSERT_EQ(hs.messages.size(), 3u);
  EXPECT_EQ(hs.messages[0].offset, 5u);
  EXPECT_EQ(hs.messages[1].offset, 5u + 74u);
  EXPECT_EQ(hs.messages[2].offset, 5u + 74u + 34u);
  for (const auto& m : hs.messages) EXPECT_EQ(m.first_record, 0u);
}

TEST(TlsRecords, OnlyTheClearPartIsReadAndOtherTypesInBetweenStayVisible) {
  Bytes sh = message(2, 40, 1);
  Bytes stream = cat({record(kHandshake, slice(sh, 0, 20)), record(kAlert, {1, 0}), record(kHandshake, slice(sh, 20, sh.size())),
                      record(kChangeCipherSpec, {1}), record(kHandshake, Bytes(40, 0x99))});  // encrypted Finished
  auto walk = walk_tls_records(stream);
  auto hs = plaintext_handshake(walk, first_of_type(walk, kChangeCipherSpec));
  ASSERT_EQ(hs.messages.size(), 1u) << "the record after ChangeCipherSpec is encrypted, not a message";
  EXPECT_TRUE(hs.messages[0].complete);
  EXPECT_EQ(hs.messages[0].first_record, 0u);
  EXPECT_EQ(hs.messages[0].last_record, 2u) << "spans the alert: interleaving is visible to a check";
}

TEST(TlsRecords, AMessageTheStreamEndsInsideIsKeptIncomplete) {
  Bytes stream = record(kHandshake, slice(message(11, 5000, 3), 0, 1000));
  auto hs = plaintext_handshake(walk_tls_records(stream), SIZE_MAX);
  ASSERT_EQ(hs.messages.size(), 1u);
  EXPECT_FALSE(hs.messages[0].complete);
  EXPECT_EQ(hs.messages[0].length, 5000u);
  EXPECT_EQ(hs.messages[0].body.size(), 996u);
}

}  // namespace
}  // namespace wireproof::dissect
