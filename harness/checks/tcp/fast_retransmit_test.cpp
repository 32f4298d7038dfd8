#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/tcp_log_builder.hpp"

namespace wireproof::checks {
namespace {

using testing::LogBuilder;
using testing::TcpLogBuilder;

// Five 1000-byte segments from 1 ms, the first lost; the server acks 0 for
// each of the other four (the first ACK plus three duplicates) 0.5 ms after
// each; then the client resends the first at `resend_ms` (0: never).
LogBuilder first_lost(double resend_ms, bool immediate_acks = true) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("c2s", 1, 1000).fate = "dropped";
  for (int k = 1; k < 5; ++k) {
    t.data("c2s", 1 + 0.1 * k, 1000);
    if (immediate_acks) t.ack_upto("s2c", 1.5 + 0.1 * k, 0);
  }
  if (!immediate_acks) t.ack_upto("s2c", 60, 0);
  if (resend_ms > 0) {
    t.resend("c2s", resend_ms, 0, 1000);
    t.ack("s2c", resend_ms + 1);
  }
  return b;
}

CheckResult judge(const LogBuilder& b) { return make_fast_retransmit()->run(b.inputs()); }

TEST(FastRetransmit, AResendAfterThreeDuplicateAcksPasses) {
  const auto r = judge(first_lost(2.5));
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["dup_ack_runs_judged"], 1);
  EXPECT_EQ(r.measured["out_of_order_arrivals_judged"], 0);  // the receiver rule is opt-in
  auto b = first_lost(2.5);
  b.scenario.expect.check_params_json["fast_retransmit"] = R"({"immediate_dup_ack": true})";
  const auto asked = judge(b);
  EXPECT_EQ(asked.verdict, Verdict::pass) << asked.detail;
  EXPECT_EQ(asked.measured["out_of_order_arrivals_judged"], 4);
}

TEST(FastRetransmit, WaitingForTheTimerFails) {
  const auto r = judge(first_lost(250.05));
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("c2s: after the 3rd duplicate ACK of 0 (i="), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("came 248.1 ms later as fast (expected fast, within 100 ms)"), std::string::npos) << r.detail;
}

TEST(FastRetransmit, NoResendAtAllFails) {
  const auto r = judge(first_lost(0));
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("was never followed by a retransmission of it"), std::string::npos) << r.detail;
}

TEST(FastRetransmit, AReceiverThatDelaysItsOutOfOrderAcksIsMeasuredButNotJudgedUnlessAsked) {
  const auto r = judge(first_lost(70, false));
  EXPECT_NE(r.verdict, Verdict::fail) << r.detail;
  EXPECT_FALSE(r.measured["immediate_dup_ack_shortfalls_not_judged"].empty());
  EXPECT_EQ(r.measured["out_of_order_arrivals_judged"], 0);
}

TEST(FastRetransmit, AReceiverThatDelaysItsOutOfOrderAcksFailsWhenTheScenarioAsks) {
  auto b = first_lost(70, false);
  b.scenario.expect.check_params_json["fast_retransmit"] = R"({"immediate_dup_ack": true})";
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("arrived out of order (starts at 1000, next expected 0) and the receiver sent no ACK of 0 "
                          "within 20 ms"),
            std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
}

TEST(FastRetransmit, NoLossIsNotApplicable) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("c2s", 1, 1000);
  t.ack("s2c", 2);
  EXPECT_EQ(judge(b).verdict, Verdict::not_applicable);
}

}  // namespace
}  // namespace wireproof::checks
