#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/check_expect.hpp"
#include "harness/checks/testdata/tcp_log_builder.hpp"

namespace wireproof::checks {
namespace {

using testing::LogBuilder;
using testing::TcpLogBuilder;
using testing::fails_saying;

CheckResult judge(const LogBuilder& b) { return make_segments_fit_mss()->run(b.inputs()); }

// With timestamps the TCP header is 32 bytes: 1460 + 20 - 32 = 1448 per segment.
TEST(SegmentsFitMss, FullSegmentsOfTheEffectiveMssPass) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("c2s", 1, 1448);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  t.data("c2s", 2, 1449);
  EXPECT_TRUE(fails_saying(judge(b),
                             "c2s segment i=4 carries 1449 bytes; effective send MSS 1448 (peer MSS 1460, path MTU 1500, TCP header 32)"));
}

TEST(SegmentsFitMss, ThePeersSmallerMssBinds) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0, {}, {.mss = 1000});
  t.data("c2s", 1, 1000);
  EXPECT_EQ(judge(b).verdict, Verdict::fail);  // 1000 + 20 - 32 = 988
}

TEST(SegmentsFitMss, NoMssOptionMeans536) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0, {}, {.mss = std::nullopt});
  t.data("c2s", 1, 524);
  EXPECT_EQ(judge(b).verdict, Verdict::pass) << judge(b).detail;
  t.data("c2s", 2, 600);
  EXPECT_NE(judge(b).detail.find("peer MSS 536 by default"), std::string::npos) << judge(b).detail;
}

// The client's first 1448 bytes (at 1 ms) are dropped, and the wire's
// frag-needed quoting them, with next-hop `mtu`, leaves at 1.1 ms.
void frag_needed_at_1ms(TcpLogBuilder& t, std::uint32_t mtu) {
  t.handshake(0);
  t.data("c2s", 1, 1448).fate = "dropped";
  t.too_big_reply("c2s", 1.1, mtu);
}

TEST(SegmentsFitMss, AfterAFragNeededTheNewMtuBinds) {
  LogBuilder b;
  TcpLogBuilder t(b);
  frag_needed_at_1ms(t, 1280);
  t.data("c2s", 1.12, 1448);  // within the 5 ms grace: sized before it knew
  EXPECT_EQ(judge(b).verdict, Verdict::pass) << judge(b).detail;
  t.resend("c2s", 20, 0, 1228);  // 1280 - 20 - 32
  EXPECT_EQ(judge(b).verdict, Verdict::pass) << judge(b).detail;
  t.resend("c2s", 21, 0, 1448);
  EXPECT_TRUE(fails_saying(judge(b), "effective send MSS 1228 (peer MSS 1460, path MTU 1280"));
}

// On a busy host the sender's device may still hold segments it queued
// before the ICMP reached it: they leave long after the grace. Its first
// retransmission after the ICMP shows it acted on it; only from then on does
// the new MTU bind.
TEST(SegmentsFitMss, SegmentsQueuedBeforeTheSenderActedOnTheIcmpAreNotJudged) {
  LogBuilder b;
  TcpLogBuilder t(b);
  frag_needed_at_1ms(t, 1280);
  t.data("c2s", 40, 1448).fate = "dropped";  // 39 ms later, still queued before the stack knew
  t.data("c2s", 41, 1448).fate = "dropped";
  t.resend("c2s", 42, 0, 1228);  // the stack's reaction: the lost data at the new size
  EXPECT_EQ(judge(b).verdict, Verdict::pass) << judge(b).detail;
  const auto late = t.data("c2s", 43, 1448).i;  // after it: too big
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_EQ(r.evidence, std::vector<std::uint64_t>{late}) << r.detail;
}

// The link shrinks under a sender that has not been told (no ICMP yet, or a
// black hole): its full-sized segments are what it can know to send.
TEST(SegmentsFitMss, ALinkThatShrinksWithoutTellingTheSenderIsNotItsFault) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("c2s", 1, 1448);
  t.data("c2s", 2, 1448).mtu = 1280;  // the link's MTU when it arrived
  EXPECT_EQ(judge(b).verdict, Verdict::pass) << judge(b).detail;
}

TEST(SegmentsFitMss, AnMtuBelowTheLinuxClampIsJudgedAt552) {
  LogBuilder b;
  TcpLogBuilder t(b);
  frag_needed_at_1ms(t, 400);
  t.resend("c2s", 20, 0, 500);  // 552 - 20 - 32 = 500
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_NE(r.detail.find("says MTU 400: judged as 552 (Linux clamps to min_pmtu)"), std::string::npos) << r.detail;
}

TEST(SegmentsFitMss, NoDataIsNotApplicable) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  EXPECT_EQ(judge(b).verdict, Verdict::not_applicable);
}

}  // namespace
}  // namespace wireproof::checks
