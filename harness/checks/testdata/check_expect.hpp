// Test helper: what a crafted-log test asserts of a check's result, in one
// line that prints the verdict and the detail when it does not hold.
//
//   EXPECT_TRUE(fails_saying(judge(b), "probe intervals did not grow"));
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "harness/checks/check.hpp"

namespace wireproof::checks::testing {

inline bool says(const CheckResult& r, std::string_view text) { return r.detail.find(text) != std::string::npos; }

// The verdict is `v` and the detail contains `text`.
inline ::testing::AssertionResult judged_saying(const CheckResult& r, Verdict v, std::string_view text) {
  if (r.verdict == v && says(r, text)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected " << to_string(v) << " saying \"" << text << "\", got "
                                       << to_string(r.verdict) << ": " << r.detail;
}
inline ::testing::AssertionResult fails_saying(const CheckResult& r, std::string_view text) {
  return judged_saying(r, Verdict::fail, text);
}

}  // namespace wireproof::checks::testing
