#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/check_expect.hpp"
#include "harness/checks/testdata/tcp_log_builder.hpp"

namespace wireproof::checks {
namespace {

using testing::LogBuilder;
using testing::TcpLogBuilder;
using testing::fails_saying;

// SYNs at the given times (ms), the last one answered and the handshake completed.
LogBuilder syns_at(std::initializer_list<double> times) {
  LogBuilder b;
  TcpLogBuilder t(b);
  double last = 0;
  for (double ms : times) {
    t.syn("c2s", ms).fate = "dropped";
    last = ms;
  }
  std::get<events::Datagram>(b.log.events.back()).fate = "forwarded";
  t.syn("s2c", last + 0.1);
  t.ack("c2s", last + 0.2);
  return b;
}

CheckResult judge(const LogBuilder& b) { return make_syn_retransmission_schedule()->run(b.inputs()); }

TEST(SynRetransmissionSchedule, DoublingFromOneSecondPasses) {
  const auto r = judge(syns_at({0, 1000, 3000, 7004, 15010}));
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["judged_by_dir"]["c2s"], 4);
}

// Linux >= 6.5, net.ipv4.tcp_syn_linear_timeouts = 4: four linear retries.
TEST(SynRetransmissionSchedule, LinuxLinearTimeoutsFailWithTheNumbers) {
  const auto r = judge(syns_at({0, 1000, 2000, 3000, 4000, 6000}));
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("c2s SYN intervals 1.0, 1.0, 1.0, 1.0, 2.0 s; expected 1, 2, 4, 8, 16 s"), std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));
}

TEST(SynRetransmissionSchedule, TheAskedInitialRtoIsTheBaseline) {
  auto b = syns_at({0, 200, 600, 1400});
  EXPECT_EQ(judge(b).verdict, Verdict::fail);  // against the default 1 s
  b.scenario.expect.check_params_json["syn_retransmission_schedule"] = R"({"initial_rto_ms": 200})";
  EXPECT_EQ(judge(b).verdict, Verdict::pass) << judge(b).detail;
}

TEST(SynRetransmissionSchedule, SynAcksOnTheirTimerAreJudged) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.syn("c2s", 0);
  t.syn("s2c", 0.1).fate = "dropped";
  t.syn("s2c", 1000.1).fate = "dropped";
  t.syn("s2c", 1500.1);  // 0.5 s: not doubled
  t.ack("c2s", 1500.2);
  EXPECT_TRUE(fails_saying(judge(b), "s2c SYN-ACK intervals 1.0, 0.500 s; expected 1, 2 s"));
}

// A SYN-ACK resent because the client's SYN came again is an answer, not a timer.
TEST(SynRetransmissionSchedule, ASynAckAnsweringARetransmittedSynIsNotJudged) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.syn("c2s", 0);
  t.syn("s2c", 0.1).fate = "dropped";
  t.syn("c2s", 1000);
  t.syn("s2c", 1000.2);
  t.ack("c2s", 1000.3);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["judged_by_dir"]["s2c"], 0);
  EXPECT_EQ(r.measured["series"][1]["intervals"][0]["judged"], false);
}

// keepalive-peer-vanishes linux-rfc -> lwip (matrix, 2026-12-02): the lwIP
// server answered neither SYN until 1.565 s, then both, 2 ms apart. Its second
// SYN-ACK answers the second SYN (delivered 560 ms before it, outside the
// response window); a busy server is late, not a wrong timer.
TEST(SynRetransmissionSchedule, ASynAckAnsweringASynQueuedBeforeItIsNotJudged) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.syn("c2s", 5.5);
  t.syn("c2s", 1006.6);
  t.syn("s2c", 1565.5);
  t.syn("s2c", 1567.4);
  t.ack("c2s", 1567.6);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["judged_by_dir"]["s2c"], 0);
  // Still judged: a second SYN-ACK with no unanswered SYN behind it.
  LogBuilder timer;
  TcpLogBuilder t2(timer);
  t2.syn("c2s", 5.5);
  t2.syn("s2c", 1565.5).fate = "dropped";
  t2.syn("s2c", 1567.4);
  t2.ack("c2s", 1567.6);
  EXPECT_EQ(judge(timer).verdict, Verdict::fail) << judge(timer).detail;
}

TEST(SynRetransmissionSchedule, NoRetransmissionIsNotApplicable) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::not_applicable);
  EXPECT_EQ(r.detail, "no SYN or SYN-ACK was retransmitted");
}

TEST(SynRetransmissionSchedule, MinJudgedFailsAQuietRun) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  b.scenario.expect.check_params_json["syn_retransmission_schedule"] = R"({"min_judged": 1})";
  EXPECT_EQ(judge(b).verdict, Verdict::fail);
}

}  // namespace
}  // namespace wireproof::checks
