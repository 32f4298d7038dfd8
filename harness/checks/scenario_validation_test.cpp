#include "harness/checks/scenario_validation.hpp"

#include <gtest/gtest.h>

#include "harness/scenario/loader.hpp"

namespace wireproof::checks {
namespace {

const std::string kHeader = "name: t\ndescription: test\nrefs: [\"RFC 6347 4.2.4\"]\nprotocol: dtls1.2\n";

// Before: a typo in a check parameter loaded, then every run "failed" the
// check ("check could not run: unknown parameter"), blaming the stack.
TEST(ParameterProblems, ATypoInACheckParameterIsBadInputWithItsPosition) {
  auto sc = scenario::load_scenario_text(kHeader +
                                             "expect:\n"
                                             "  checks:\n"
                                             "    mtu_fit: { grace_retransmision: 2 }\n"
                                             "    retransmission_schedule:\n"
                                             "      group_window_ms: 20\n"
                                             "      response_windw_ms: 30\n",
                                         "t.yaml");
  auto problems = parameter_problems(sc);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], "t.yaml:7:16: unknown parameter 'grace_retransmision' for check 'mtu_fit' (it takes: "
                         "grace_retransmissions)");
  EXPECT_EQ(problems[1].rfind("t.yaml:10:7: unknown parameter 'response_windw_ms' for check "
                              "'retransmission_schedule' (it takes: group_window_ms, response_window_ms",
                              0),
            0u)
      << problems[1];
  EXPECT_EQ(parameter_problems(scenario::load_scenario_text(
                kHeader + "expect:\n  checks:\n    mtu_fit: { grace_retransmissions: 2 }\n", "t.yaml")),
            std::vector<std::string>{});
  // A check that takes no parameters says so.
  auto none = parameter_problems(
      scenario::load_scenario_text(kHeader + "expect:\n  checks:\n    record_boundaries: { strict: true }\n", "t.yaml"));
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0], "t.yaml:7:26: unknown parameter 'strict' for check 'record_boundaries' (it takes: none)");
}

}  // namespace
}  // namespace wireproof::checks
