// The run verdict's `inconclusive` rank and the exit codes of `wireproof run`.
#include <gtest/gtest.h>

#include "harness/runner/verdict.hpp"

using namespace wireproof::runner;

namespace {
// Fields by name: PeerEnd grows, and brace lists trip -Wmissing-field-initializers.
PeerEnd ended(const std::string& role, int code, const std::string& reason) {
  PeerEnd e;
  e.role = role;
  e.exit_code = code;
  e.exit_reason = reason;
  return e;
}
PeerEnd ok(const std::string& role) { return ended(role, 0, "exited 0"); }
}  // namespace

TEST(VerdictInconclusive, RanksBelowFailAndAboveXfail) {
  auto v = decide_verdict("", ok("client"), ok("server"), {{"retransmission_schedule", "inconclusive"}, {"b", "pass"}});
  EXPECT_EQ(v.verdict, "inconclusive");
  EXPECT_NE(v.reason.find("retransmission_schedule"), std::string::npos) << v.reason;
  EXPECT_EQ(decide_verdict("", ok("client"), ok("server"), {{"a", "inconclusive"}, {"b", "xfail"}}).verdict,
            "inconclusive");
  EXPECT_EQ(decide_verdict("", ok("client"), ok("server"), {{"a", "inconclusive"}, {"b", "fail"}}).verdict, "fail");
  const PeerEnd crashed = ended("server", 139, "killed by signal 11");
  EXPECT_EQ(decide_verdict("", ok("client"), crashed, {{"a", "inconclusive"}}).verdict, "error");
  const PeerEnd unsupported = ended("client", 127, "exited 127");
  EXPECT_EQ(decide_verdict("", unsupported, ok("server"), {{"a", "inconclusive"}}).verdict, "unsupported");
}

TEST(VerdictInconclusive, RunExitCodes) {
  EXPECT_EQ(run_exit_code("pass"), 0);
  EXPECT_EQ(run_exit_code("xfail"), 0);
  EXPECT_EQ(run_exit_code("fail"), 1);
  EXPECT_EQ(run_exit_code("error"), 3);
  EXPECT_EQ(run_exit_code("unsupported"), 4);
  EXPECT_EQ(run_exit_code("inconclusive"), 5);
  EXPECT_EQ(run_exit_code("something new"), 3) << "an unknown verdict must not pass";
}
