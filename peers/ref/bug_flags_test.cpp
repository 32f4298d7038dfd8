#include "peers/ref/bug_flags.hpp"

#include <gtest/gtest.h>

using wireproof::peers::ref::take_bug_flags;

TEST(BugFlags, TakesRepeatedBugFlagsAndKeepsTheRestInOrder) {
  auto f = take_bug_flags({"--role", "server", "--bug", "no-backoff", "--mtu", "576", "--bug=ignore-mtu"});
  EXPECT_TRUE(f.error.empty()) << f.error;
  EXPECT_EQ(f.rest, (std::vector<std::string>{"--role", "server", "--mtu", "576"}));
  EXPECT_TRUE(f.bugs.no_backoff);
  EXPECT_TRUE(f.bugs.ignore_mtu);
  EXPECT_FALSE(f.bugs.early_retransmit);
  EXPECT_TRUE(take_bug_flags({"--bug", "ignore-final-retransmit"}).bugs.ignore_final_retransmit);
  auto timers = take_bug_flags({"--bug", "wrong-initial-timer", "--bug=backoff-1.5x", "--timer-initial-ms", "100"});
  EXPECT_TRUE(timers.error.empty()) << timers.error;
  EXPECT_TRUE(timers.bugs.wrong_initial_timer);
  EXPECT_TRUE(timers.bugs.backoff_1_5x);
  EXPECT_EQ(timers.rest, (std::vector<std::string>{"--timer-initial-ms", "100"}));
}

TEST(BugFlags, UnknownOrMissingNameIsAUsageErrorNamingTheSwitches) {
  auto f = take_bug_flags({"--bug", "no-bakcoff"});
  EXPECT_NE(f.error.find("'no-bakcoff'"), std::string::npos);
  EXPECT_NE(f.error.find("duplicate-app-data"), std::string::npos);
  EXPECT_NE(f.error.find("ignore-final-retransmit"), std::string::npos);
  EXPECT_NE(f.error.find("wrong-initial-timer"), std::string::npos);
  EXPECT_NE(f.error.find("backoff-1.5x"), std::string::npos);
  EXPECT_NE(take_bug_flags({"--bug"}).error.find("needs a switch name"), std::string::npos);
}
