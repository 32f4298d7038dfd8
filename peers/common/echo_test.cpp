#include <gtest/gtest.h>

#include "peers/common/echo_chunks.hpp"
#include "peers/common/echo_client.hpp"
#include "peers/common/echo_server.hpp"

using namespace wireproof::peers;

namespace {

ChunkPlan plan(std::uint64_t bytes, std::uint32_t chunk) { return ChunkPlan{bytes, chunk}; }

// Moves records client -> server -> client until done, dropping nothing.
void run_lossless(EchoClient& client, EchoServer& server, std::int64_t now = 0) {
  for (int round = 0; round < 1000 && !client.complete(); ++round) {
    for (auto& r : client.records_to_send(now)) {
      server.on_record(r);
      client.on_record(r);
    }
  }
}

}  // namespace

TEST(Chunks, LayoutFollowsTheContract) {
  auto c = make_chunk(2, 5);
  ASSERT_EQ(c.size(), 13u);
  EXPECT_EQ(c[7], 2);
  EXPECT_EQ(c[0], 0);
  EXPECT_EQ(c[8], (2 * 131 + 0) & 0xff);
  EXPECT_EQ(c[12], (2 * 131 + 4) & 0xff);
  EXPECT_EQ(chunk_index(c), 2u);
  EXPECT_FALSE(chunk_index(std::vector<std::uint8_t>(7, 0)));
}

TEST(Chunks, PlanCutsTheLastChunkShort) {
  auto p = plan(2500, 1000);
  EXPECT_EQ(p.count(), 3u);
  EXPECT_EQ(p.pattern_bytes(0), 1000u);
  EXPECT_EQ(p.pattern_bytes(2), 500u);
  EXPECT_EQ(p.pattern_bytes(3), 0u);
  EXPECT_EQ(plan(0, 1000).count(), 0u);
}

TEST(OrderedDigest, OrderOfArrivalDoesNotMatterButDuplicatesAreRefused) {
  OrderedDigest in_order, shuffled;
  for (std::uint64_t i = 0; i < 4; ++i) in_order.add(i, make_chunk(i, 10));
  for (std::uint64_t i : {2, 0, 3, 1}) EXPECT_TRUE(shuffled.add(i, make_chunk(i, 10)));
  EXPECT_FALSE(shuffled.add(3, make_chunk(3, 10)));
  EXPECT_FALSE(shuffled.add(0, make_chunk(0, 10)));
  EXPECT_EQ(in_order.hex(), shuffled.hex());
  EXPECT_EQ(in_order.hex(), expected_digest(plan(40, 10)));
  EXPECT_EQ(shuffled.unique(), 4u);
}

TEST(OrderedDigest, GapStillHashesWhatArrivedAndDiffers) {
  OrderedDigest gap;
  gap.add(0, make_chunk(0, 10));
  gap.add(2, make_chunk(2, 10));
  EXPECT_NE(gap.hex(), expected_digest(plan(30, 10)));
}

TEST(EchoClient, ResendTimeoutIsFourTimesTheTimerWithA200msFloor) {
  EXPECT_EQ(EchoClient::resend_after_ms(std::nullopt), 4000);
  EXPECT_EQ(EchoClient::resend_after_ms(100), 400);
  EXPECT_EQ(EchoClient::resend_after_ms(10), 200);
}

TEST(EchoClient, OverAReliableStreamNothingIsEverResent) {
  EchoClient c({plan(20000, 1000), std::nullopt});
  auto first = c.records_to_send(0);
  EXPECT_EQ(first.size(), 8u);
  EXPECT_EQ(c.next_deadline_ms(), std::nullopt);
  EXPECT_TRUE(c.records_to_send(1'000'000).empty());
  EXPECT_EQ(c.resent(), 0u);
}

TEST(EchoClient, KeepsAtMostEightOutstanding) {
  EchoClient c({plan(20000, 1000), 400});
  auto first = c.records_to_send(0);
  EXPECT_EQ(first.size(), 8u);
  EXPECT_TRUE(c.records_to_send(10).empty());
  c.on_record(first[3]);
  auto next = c.records_to_send(20);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(chunk_index(next[0]), 8u);
}

TEST(EchoClient, LosslessTransferVerifies) {
  EchoClient c({plan(20000, 1000), 400});
  EchoServer s(plan(20000, 1000));
  run_lossless(c, s);
  EXPECT_TRUE(c.complete());
  EXPECT_TRUE(c.verified());
  EXPECT_TRUE(s.verified());
  auto r = c.report();
  EXPECT_EQ(r["sent_sha256"], r["echoed_sha256"]);
  EXPECT_EQ(r["sent_sha256"], expected_digest(plan(20000, 1000)));
  EXPECT_EQ(r["chunks"], 20);
  EXPECT_EQ(s.report()["received_sha256"], r["sent_sha256"]);
  EXPECT_EQ(s.report()["bytes"], 20000);
  EXPECT_FALSE(c.next_deadline_ms());
}

TEST(EchoClient, CorruptedEchoMakesTheEchoedDigestDiffer) {
  EchoClient c({plan(3000, 1000), 400});
  for (auto& r : c.records_to_send(0)) {
    if (chunk_index(r) == 1u) r.back() ^= 0x01;  // the echo of chunk 1 comes back damaged
    c.on_record(r);
  }
  EXPECT_TRUE(c.complete());
  EXPECT_FALSE(c.verified());
  auto r = c.report();
  EXPECT_NE(r["sent_sha256"], r["echoed_sha256"]);
}

TEST(EchoClient, LostEchoIsResentAfterTheDeadlineAndDuplicatesCounted) {
  EchoClient c({plan(2000, 1000), 400});
  auto first = c.records_to_send(0);
  ASSERT_EQ(first.size(), 2u);
  c.on_record(first[0]);  // chunk 1's echo is lost
  EXPECT_EQ(c.next_deadline_ms(), 400);
  EXPECT_TRUE(c.records_to_send(399).empty());
  auto resend = c.records_to_send(400);
  ASSERT_EQ(resend.size(), 1u);
  EXPECT_EQ(resend[0], first[1]);
  EXPECT_EQ(c.resent(), 1u);
  c.on_record(resend[0]);
  c.on_record(first[1]);  // the late original echo turns up too
  EXPECT_EQ(c.duplicates(), 1u);
  EXPECT_TRUE(c.verified());
}

TEST(EchoClient, EchoWithUnknownIndexIsNotCountedAsProgress) {
  EchoClient c({plan(1000, 1000), 400});
  c.records_to_send(0);
  c.on_record(make_chunk(99, 10));
  c.on_record(std::vector<std::uint8_t>{1, 2});
  EXPECT_FALSE(c.complete());
  EXPECT_EQ(c.report()["malformed"], 2);
}

TEST(EchoServer, DuplicateRecordIsCounted) {
  EchoServer s(plan(2000, 1000));
  auto c0 = make_chunk(0, 1000), c1 = make_chunk(1, 1000);
  EXPECT_EQ(s.on_record(c0), EchoServer::Seen::new_chunk);
  EXPECT_EQ(s.on_record(c0), EchoServer::Seen::duplicate);
  EXPECT_EQ(s.on_record(c1), EchoServer::Seen::new_chunk);
  auto r = s.report();
  EXPECT_EQ(r["records"], 3);
  EXPECT_EQ(r["unique_chunks"], 2);
  EXPECT_EQ(r["duplicates"], 1);
  EXPECT_TRUE(s.verified());
}

TEST(EchoServer, MissingOrDamagedChunkFailsVerification) {
  EchoServer missing(plan(2000, 1000));
  missing.on_record(make_chunk(0, 1000));
  EXPECT_FALSE(missing.verified());

  EchoServer damaged(plan(2000, 1000));
  auto c1 = make_chunk(1, 1000);
  c1[500] ^= 0xff;
  damaged.on_record(make_chunk(0, 1000));
  damaged.on_record(c1);
  EXPECT_FALSE(damaged.verified());
}
