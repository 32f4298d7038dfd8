// The record walk's edge cases, each of which one of the former copies (the
// dissector, record_boundaries, the handshake fragment reader, the crafted-log
// builder) handled on its own.
#include <gtest/gtest.h>

#include "harness/dissect/dtls_builder.hpp"
#include "harness/dissect/dtls_record_walk.hpp"

using namespace wireproof;
using namespace wireproof::dtls_builder;
using dissect::DtlsRecordWalk;
using dissect::WalkedRecord;

namespace {
std::vector<WalkedRecord> walk_all(DtlsRecordWalk& walk) {
  std::vector<WalkedRecord> out;
  while (auto r = walk.next()) out.push_back(*r);
  return out;
}
}  // namespace

TEST(DtlsRecordWalk, EmptyDatagramHasNoRecordsAndNoFault) {
  Bytes d;
  DtlsRecordWalk walk(d);
  EXPECT_TRUE(walk_all(walk).empty());
  EXPECT_FALSE(walk.fault());
}

TEST(DtlsRecordWalk, ReadsEveryHeaderFieldAndTheBody) {
  auto d = datagram({record(23, 3, 0x0000a1b2c3d4ULL, Bytes{1, 2, 3}, 0xfeff), ccs(0, 9)});
  DtlsRecordWalk walk(d);
  auto records = walk_all(walk);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_FALSE(walk.fault());
  EXPECT_EQ(records[0].index, 0u);
  EXPECT_EQ(records[0].offset, 0u);
  EXPECT_EQ(records[0].type, 23);
  EXPECT_EQ(records[0].version, 0xfeff);
  EXPECT_EQ(records[0].epoch, 3);
  EXPECT_EQ(records[0].seq, 0x0000a1b2c3d4ULL);
  EXPECT_EQ(records[0].length, 3);
  EXPECT_EQ(Bytes(records[0].body.begin(), records[0].body.end()), (Bytes{1, 2, 3}));
  EXPECT_EQ(records[1].index, 1u);
  EXPECT_EQ(records[1].offset, 16u);
  EXPECT_EQ(records[1].type, 20);
  EXPECT_EQ(records[1].seq, 9u);
}

TEST(DtlsRecordWalk, ZeroLengthRecordIsAWholeRecord) {
  // A bare 13-byte header with length 0, alone and between two records.
  auto alone = record(23, 1, 5, Bytes{});
  ASSERT_EQ(alone.size(), 13u);
  DtlsRecordWalk walk(alone);
  auto records = walk_all(walk);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].length, 0);
  EXPECT_TRUE(records[0].body.empty());
  EXPECT_FALSE(walk.fault());

  auto between = datagram({app_data(1, 4), record(23, 1, 2, Bytes{}), app_data(3, 4)});
  DtlsRecordWalk walk2(between);
  EXPECT_EQ(walk_all(walk2).size(), 3u);
  EXPECT_FALSE(walk2.fault());
}

TEST(DtlsRecordWalk, TruncatedHeaderStopsWithoutARecord) {
  auto d = datagram({app_data(1, 4)});
  d.insert(d.end(), {0x17, 0xfe, 0xfd, 0, 1});  // 5 of a header's 13 bytes
  DtlsRecordWalk walk(d);
  EXPECT_EQ(walk_all(walk).size(), 1u);
  ASSERT_TRUE(walk.fault());
  EXPECT_EQ(walk.fault()->what, "record 1 at offset 17: record header needs 13 bytes, 5 remain");
  EXPECT_FALSE(walk.fault()->record);  // no header was read
}

TEST(DtlsRecordWalk, OneByteDatagramIsATruncatedHeader) {
  Bytes d{22};
  DtlsRecordWalk walk(d);
  EXPECT_TRUE(walk_all(walk).empty());
  ASSERT_TRUE(walk.fault());
  EXPECT_EQ(walk.fault()->what, "record 0 at offset 0: record header needs 13 bytes, 1 remain");
}

TEST(DtlsRecordWalk, LengthPastTheEndKeepsTheHeaderAndTheBytesPresent) {
  auto d = datagram({app_data(1, 4), app_data(2, 10)});
  d.resize(17 + 13 + 6);  // the second record's header says 10, 6 are there
  DtlsRecordWalk walk(d);
  EXPECT_EQ(walk_all(walk).size(), 1u);
  ASSERT_TRUE(walk.fault());
  EXPECT_EQ(walk.fault()->what, "record 1 at offset 17: length 10 exceeds remaining 6");
  ASSERT_TRUE(walk.fault()->record);
  const auto& cut = *walk.fault()->record;
  EXPECT_EQ(cut.index, 1u);
  EXPECT_EQ(cut.offset, 17u);
  EXPECT_EQ(cut.type, 23);
  EXPECT_EQ(cut.seq, 2u);
  EXPECT_EQ(cut.length, 10);
  EXPECT_EQ(cut.body.size(), 6u);
}

TEST(DtlsRecordWalk, LengthPastTheEndWithNoBodyBytes) {
  auto d = record(22, 0, 0, Bytes(4, 0));
  d.resize(13);  // header only, saying 4
  DtlsRecordWalk walk(d);
  EXPECT_TRUE(walk_all(walk).empty());
  ASSERT_TRUE(walk.fault());
  EXPECT_EQ(walk.fault()->what, "record 0 at offset 0: length 4 exceeds remaining 0");
  EXPECT_TRUE(walk.fault()->record->body.empty());
}

TEST(DtlsRecordWalk, StaysStoppedAfterAFault) {
  auto d = datagram({app_data(1, 4)});
  d.resize(10);
  DtlsRecordWalk walk(d);
  EXPECT_FALSE(walk.next());
  const std::string first = walk.fault()->what;
  EXPECT_FALSE(walk.next());
  EXPECT_EQ(walk.fault()->what, first);
}
