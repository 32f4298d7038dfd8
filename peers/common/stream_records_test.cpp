#include "peers/common/stream_records.hpp"

#include <gtest/gtest.h>

namespace wireproof::peers {
namespace {

// The workload's records back to back, as a byte stream carries them.
std::vector<std::uint8_t> plan_stream(const ChunkPlan& plan) {
  std::vector<std::uint8_t> s;
  for (std::uint64_t i = 0; i < plan.count(); ++i) {
    auto r = make_chunk(i, plan.pattern_bytes(i));
    s.insert(s.end(), r.begin(), r.end());
  }
  return s;
}

TEST(StreamRecords, CutsAStreamFedInOddPiecesBackIntoThePlansRecords) {
  const ChunkPlan plan{2500, 1000};  // records of 1008, 1008 and 508 bytes
  const auto stream = plan_stream(plan);
  StreamRecords cutter(plan);
  std::vector<std::vector<std::uint8_t>> records;
  for (std::size_t at = 0; at < stream.size(); at += 7) {
    const std::size_t n = std::min<std::size_t>(7, stream.size() - at);
    for (auto& r : cutter.feed(std::span(stream).subspan(at, n))) records.push_back(std::move(r));
  }
  ASSERT_EQ(records.size(), 3u);
  for (std::uint64_t i = 0; i < 3; ++i) EXPECT_EQ(records[i], make_chunk(i, plan.pattern_bytes(i))) << i;
  EXPECT_TRUE(cutter.finish().empty());
}

TEST(StreamRecords, UnknownPlanCutsWholeChunksAndHandsBackTheShortLastOne) {
  const ChunkPlan sent{2500, 1000};
  StreamRecords cutter(ChunkPlan{0, 1000});
  auto records = cutter.feed(plan_stream(sent));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(cutter.finish(), make_chunk(2, 500));
}

TEST(StreamRecords, ATruncatedStreamLeavesItsTailForFinish) {
  const ChunkPlan plan{2000, 1000};
  auto stream = plan_stream(plan);
  stream.resize(1008 + 100);
  StreamRecords cutter(plan);
  EXPECT_EQ(cutter.feed(stream).size(), 1u);
  EXPECT_EQ(cutter.finish().size(), 100u);
}

TEST(FramedStreamRecords, LinesAreCutAtEachNewlineWithTheNewlineKept) {
  const auto a = encode_line(make_chunk(0, 20)), b = encode_line(make_chunk(1, 20));
  const std::string stream = a + b;
  FramedStreamRecords cutter(Framing::lines, ChunkPlan{40, 20});
  std::vector<std::vector<std::uint8_t>> records;
  for (std::size_t at = 0; at < stream.size(); at += 5) {
    auto piece = std::string_view(stream).substr(at, 5);
    for (auto& r : cutter.feed(std::span(reinterpret_cast<const std::uint8_t*>(piece.data()), piece.size())))
      records.push_back(std::move(r));
  }
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(decode_line_record(records[0]), make_chunk(0, 20));
  EXPECT_EQ(decode_line_record(records[1]), make_chunk(1, 20));
}

TEST(FramedStreamRecords, BinaryCutsThePlansRecords) {
  const ChunkPlan plan{2500, 1000};
  FramedStreamRecords cutter(Framing::binary, plan);
  auto records = cutter.feed(plan_stream(plan));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2], make_chunk(2, plan.pattern_bytes(2)));
}

}  // namespace
}  // namespace wireproof::peers
