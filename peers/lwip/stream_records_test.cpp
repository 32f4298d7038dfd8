#include "peers/lwip/stream_records.hpp"

#include <gtest/gtest.h>

#include "peers/lwip/lwip_test_support.hpp"

namespace wireproof::peers::lwip {
namespace {

TEST(StreamRecords, CutsAStreamFedInOddPiecesBackIntoThePlansRecords) {
  const ChunkPlan plan{2500, 1000};  // records of 1008, 1008 and 508 bytes
  const auto stream = test::plan_stream(plan);
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
  auto records = cutter.feed(test::plan_stream(sent));
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(cutter.finish(), make_chunk(2, 500));
}

TEST(StreamRecords, ATruncatedStreamLeavesItsTailForFinish) {
  const ChunkPlan plan{2000, 1000};
  auto stream = test::plan_stream(plan);
  stream.resize(1008 + 100);
  StreamRecords cutter(plan);
  EXPECT_EQ(cutter.feed(stream).size(), 1u);
  EXPECT_EQ(cutter.finish().size(), 100u);
}

}  // namespace
}  // namespace wireproof::peers::lwip
