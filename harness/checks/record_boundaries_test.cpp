#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/log_builder.hpp"

namespace wireproof::checks {
namespace {

using namespace testing;

TEST(RecordBoundaries, PassesOnWholeRecords) {
  LogBuilder b;
  clean_handshake(b, true);
  auto r = make_record_boundaries()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["datagrams"], 6);
  EXPECT_TRUE(r.evidence.empty());
}

TEST(RecordBoundaries, FailsOnARecordLongerThanItsDatagram) {
  LogBuilder b;
  clean_handshake(b, false);
  Bytes cut = record(kApplicationData, 1, 1, filler(100));
  cut.resize(60);  // the record header still says 100 bytes
  const auto i = b.datagram("c2s", 10, cut).i;
  auto r = make_record_boundaries()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_EQ(r.evidence, std::vector<std::uint64_t>{i});
}

TEST(RecordBoundaries, FailsOnTrailingGarbageEvenIfTheDissectionMissedIt) {
  LogBuilder b;
  auto bytes = concat({record(kApplicationData, 1, 1, filler(50)), Bytes{1, 2, 3}});
  auto& d = b.datagram("s2c", 1, bytes);
  d.malformed.reset();
  auto r = make_record_boundaries()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  // In the dissector's words (one record walk): the second record (index 1) has 3 of its header's 13 bytes.
  EXPECT_NE(r.detail.find("record 1 at offset 63: record header needs 13 bytes, 3 remain"), std::string::npos)
      << r.detail;
}

TEST(RecordBoundaries, NotApplicableWithoutDatagrams) {
  LogBuilder b;
  EXPECT_EQ(make_record_boundaries()->run(b.inputs()).verdict, Verdict::not_applicable);
}

}  // namespace
}  // namespace wireproof::checks
