#include "harness/runner/run_end.hpp"

#include <gtest/gtest.h>

namespace wireproof::runner {
namespace {

using nlohmann::json;

TEST(SurvivorRule, WaitsWhileBothRunThenStopsTheSurvivorAfterTheGrace) {
  SurvivorRule rule;
  EXPECT_FALSE(rule.should_stop(0, false, std::nullopt));
  EXPECT_FALSE(rule.should_stop(1'000'000, true, std::nullopt));  // the other peer exited now
  EXPECT_EQ(rule.stop_due_us(), 1'000'000 + kSettleGraceUs);
  EXPECT_FALSE(rule.should_stop(1'000'000 + kSettleGraceUs - 1, true, std::nullopt));
  EXPECT_TRUE(rule.should_stop(1'000'000 + kSettleGraceUs, true, std::nullopt));
}

TEST(SurvivorRule, APendingDeliveryRestartsTheGraceFromIt) {
  SurvivorRule rule;
  rule.should_stop(0, true, 100'000);  // a held datagram leaves the wire at 0.1 s
  EXPECT_FALSE(rule.should_stop(kSettleGraceUs, true, 100'000));
  EXPECT_TRUE(rule.should_stop(100'000 + kSettleGraceUs, true, std::nullopt));
  // A timeline entry far in the future does not hold the run open.
  SurvivorRule far;
  far.should_stop(0, true, 60'000'000);
  EXPECT_TRUE(far.should_stop(kSettleGraceUs, true, 60'000'000));
}

PeerEnd client_end(bool at_deadline) {
  PeerEnd e;
  e.role = "client";
  e.exit_code = 2;
  e.killed_at_deadline = at_deadline;
  return e;
}
const std::vector<CheckOutcome> kJudged = {{"handshake_completes", "pass"}, {"app_data_intact", "fail"}};
const json kIncomplete = {{"event", "app_data"}, {"role", "client"},      {"chunks", 21},
                          {"echoed_chunks", 20}, {"incomplete", true}, {"incomplete_reason", "x"}};

TEST(JudgeUnfinishedWorkload, CutShortByTheDeadlineIsAnErrorSayingHowFarItGot) {
  auto v = judge_unfinished_workload({"fail", "failed: app_data_intact"}, client_end(true), {kIncomplete}, kJudged);
  EXPECT_EQ(v.verdict, "error");
  EXPECT_EQ(v.reason, "workload did not finish before the run deadline: 20 of 21 chunks echoed");
}

TEST(JudgeUnfinishedWorkload, OtherEndsAreJudgedByTheChecks) {
  const Verdict fail{"fail", "failed: app_data_intact"};
  // Gave up on its own (idle before any echo), or stopped because the server had exited: the checks judge.
  EXPECT_EQ(judge_unfinished_workload(fail, client_end(false), {kIncomplete}, kJudged).verdict, "fail");
  // The deadline came, but the echo was complete.
  json complete = kIncomplete;
  complete.erase("incomplete");
  EXPECT_EQ(judge_unfinished_workload(fail, client_end(true), {complete}, kJudged).verdict, "fail");
  // The scenario does not judge the workload (app_data_intact off).
  EXPECT_EQ(judge_unfinished_workload({"pass", ""}, client_end(true), {kIncomplete}, {{"mtu_fit", "pass"}}).verdict,
            "pass");
  EXPECT_EQ(judge_unfinished_workload({"unsupported", "x"}, client_end(true), {kIncomplete}, kJudged).verdict,
            "unsupported");
}

}  // namespace
}  // namespace wireproof::runner
