#include <gtest/gtest.h>

#include "harness/runner/cell_tries.hpp"

using namespace wireproof::runner;
using nlohmann::json;

namespace {
json run(const std::string& verdict, json failed = json::array()) {
  return {{"verdict", verdict}, {"failed_checks", std::move(failed)}};
}
}  // namespace

TEST(CellTries, RetriesInconclusiveAndTimingFailuresOnly) {
  EXPECT_TRUE(worth_retrying(run("inconclusive")));
  EXPECT_TRUE(worth_retrying(run("fail", {"handshake_completes", "retransmission_schedule"})));
  EXPECT_TRUE(worth_retrying(run("fail", {"last_flight_answered"})));
  EXPECT_FALSE(worth_retrying(run("fail", {"app_data_intact"}))) << "not a timing check: host load cannot cause it";
  EXPECT_FALSE(worth_retrying(run("pass")));
  EXPECT_FALSE(worth_retrying(run("xfail", {"retransmission_schedule"})));
  EXPECT_FALSE(worth_retrying(run("error")));
  EXPECT_FALSE(worth_retrying(run("unsupported")));
}

TEST(CellTries, VerdictOverTries) {
  EXPECT_EQ(cell_verdict({run("pass")}), "pass");
  EXPECT_EQ(cell_verdict({run("fail"), run("fail"), run("fail")}), "fail");
  EXPECT_EQ(cell_verdict({run("fail"), run("pass")}), "flaky");
  EXPECT_EQ(cell_verdict({run("inconclusive"), run("pass")}), "pass") << "host noise, then a verdict";
  EXPECT_EQ(cell_verdict({run("fail"), run("inconclusive"), run("pass")}), "flaky");
  EXPECT_EQ(cell_verdict({run("inconclusive"), run("inconclusive"), run("inconclusive")}), "inconclusive");
}

TEST(CellTries, StopsAtTheRetryLimitOrOnceTheTriesDisagree) {
  std::vector<json> tries{run("fail", {"retransmission_schedule"})};
  EXPECT_TRUE(needs_another_try(tries, 2));
  EXPECT_FALSE(needs_another_try(tries, 0)) << "--retries 0: one try only";
  tries.push_back(run("fail", {"retransmission_schedule"}));
  EXPECT_TRUE(needs_another_try(tries, 2));
  tries.push_back(run("fail", {"retransmission_schedule"}));
  EXPECT_FALSE(needs_another_try(tries, 2)) << "1 try + 2 retries";
  EXPECT_FALSE(needs_another_try({run("fail", {"retransmission_schedule"}), run("pass")}, 5)) << "already flaky";
  EXPECT_FALSE(needs_another_try({run("inconclusive"), run("pass")}, 5)) << "a conclusive try ends it";
  EXPECT_TRUE(needs_another_try({run("pass"), run("inconclusive")}, 5));
  EXPECT_FALSE(needs_another_try({}, 2));
}

TEST(CellTries, EveryTryHasItsOwnDirectory) {
  EXPECT_EQ(try_dir("s/a__b", 1), "s/a__b");
  EXPECT_EQ(try_dir("s/a__b", 2), "s/a__b/try-2");
  EXPECT_EQ(try_dir("s/a__b", 3), "s/a__b/try-3");
}
