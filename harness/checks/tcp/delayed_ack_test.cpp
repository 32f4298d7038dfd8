#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/check_expect.hpp"
#include "harness/checks/testdata/tcp_log_builder.hpp"

namespace wireproof::checks {
namespace {

using testing::LogBuilder;
using testing::TcpLogBuilder;
using testing::fails_saying;

// Eight full-sized segments 1 ms apart, acked every `every` segments 0.2 ms
// after the last of them; a final client segment at 2000 ms ends the log.
LogBuilder bulk(int every, double extra_delay_ms = 0) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  for (int k = 0; k < 8; ++k) {
    t.data("c2s", 1 + k, 1448);
    if ((k + 1) % every == 0) t.ack("s2c", 1.2 + k + extra_delay_ms);
  }
  t.ack("c2s", 2000);
  return b;
}

CheckResult judge(const LogBuilder& b) { return make_delayed_ack()->run(b.inputs()); }

TEST(DelayedAck, AnAckEverySecondSegmentPasses) {
  const auto r = judge(bulk(2));
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["full_sized_runs_judged"], 1);
  EXPECT_EQ(r.measured["segments_judged"], 8);
}

TEST(DelayedAck, AnAckEveryFourthSegmentIsMeasuredButNotJudgedUnlessAsked) {
  const auto r = judge(bulk(4));
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["every_second_shortfalls_not_judged"].size(), 1u);
}

TEST(DelayedAck, AnAckEveryFourthSegmentFailsWhenTheScenarioAsks) {
  auto b = bulk(4);
  b.scenario.expect.check_params_json["delayed_ack"] = R"({"every_second": true})";
  EXPECT_TRUE(fails_saying(judge(b),
                             "s2c acked 8 full-sized c2s segments (from i=3) with 2 advancing ACK(s), expected at least 4"));
}

TEST(DelayedAck, AnAckLaterThanHalfASecondFails) {
  EXPECT_TRUE(fails_saying(judge(bulk(8, 600)), "c2s data i=3 was acked only 607 ms after its delivery"));
}

// A segment lost mid-stream: the six above the hole are acked at once with
// duplicate ACKs (RFC 5681 4.2), and the retransmission's one cumulative ACK
// covers them all. A correct receiver; only in-sequence arrivals form runs.
TEST(DelayedAck, SegmentsAboveAHoleAreNotARunOfInOrderSegments) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  for (int k = 0; k < 9; ++k) {
    auto& d = t.data("c2s", 1 + k, 1448);
    if (k == 2) {
      d.fate = "dropped";
      d.deliveries_us.clear();
    }
    if (k == 1) t.ack("s2c", 2.2);
    if (k >= 3) t.ack_upto("s2c", 1.2 + k, 2 * 1448);  // duplicate ACKs for the hole
  }
  t.resend("c2s", 12, 2 * 1448, 1448);
  t.ack("s2c", 12.2);
  t.ack("c2s", 2000);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["full_sized_runs_judged"], 0);
}

// Data above a lost segment is answered at once by duplicate ACKs; the
// cumulative ACK comes only when the hole is repaired, seconds later.
TEST(DelayedAck, DataAboveAHoleIsAnsweredByItsDuplicateAcks) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("c2s", 1, 1448).fate = "dropped";
  t.data("c2s", 2, 1448);
  t.ack_upto("s2c", 2.2, 0);  // duplicate ACK of the hole
  t.resend("c2s", 3000, 0, 1448);
  t.ack("s2c", 3000.2);
  t.ack("c2s", 5000);
  EXPECT_EQ(judge(b).verdict, Verdict::pass) << judge(b).detail;
}

TEST(DelayedAck, NoDataIsNotApplicable) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  EXPECT_EQ(judge(b).verdict, Verdict::not_applicable);
}

}  // namespace
}  // namespace wireproof::checks
