#include "harness/checks/check.hpp"

#include <algorithm>
#include <map>

#include <gtest/gtest.h>

#include "harness/checks/testdata/log_builder.hpp"
#include "harness/scenario/names.hpp"

namespace wireproof::checks {
namespace {

using testing::LogBuilder;

std::size_t checks_judging(const std::string& protocol) {
  std::size_t n = 0;
  for (const auto& c : all_checks()) n += judges_protocol(*c, protocol) ? 1 : 0;
  return n;
}


TEST(AllChecks, ListsTheChecksInReportOrder) {
  std::vector<std::string> names;
  for (const auto& c : all_checks()) {
    names.push_back(c->name());
    EXPECT_FALSE(c->rfc().empty()) << c->name();
  }
  EXPECT_EQ(names, (std::vector<std::string>{"handshake_completes", "app_data_intact", "record_boundaries", "mtu_fit",
                                             "fragments_consistent", "retransmission_schedule", "record_sequence",
                                             "cookie_exchange", "last_flight_answered", "tcp_handshake",
                                             "tcp_data_intact", "syn_retransmission_schedule", "rto_backoff",
                                             "rto_matches_stack", "fast_retransmit",
                                             "segments_fit_mss", "zero_window_probe", "graceful_close",
                                             "delayed_ack", "pmtud_response", "blind_reset_defence", "keepalive",
                                             "urgent_data",
                                             // TLS over TCP
                                             "tls_handshake_completes", "record_size", "record_framing",
                                             "version_negotiation", "middlebox_compat", "hello_retry_request",
                                             "close_notify", "key_update", "session_resumption", "alerts",
                                             "tls_data_intact", "plaintext_fallback"}));
}

// The scenario loader's name tables (one per protocol) are the registry's checks.
TEST(AllChecks, ScenarioCheckNamesAreTheRegisteredChecks) {
  for (auto p : scenario::kProtocols) {
    const std::string protocol(p);
    const auto listed_names = scenario::names::check_names(protocol);
    const std::vector<std::string> names(listed_names.begin(), listed_names.end());
    std::vector<std::string> registered;
    for (const auto& c : all_checks())
      if (judges_protocol(*c, protocol)) registered.push_back(c->name());
    std::sort(registered.begin(), registered.end());
    auto listed = names;
    std::sort(listed.begin(), listed.end());
    EXPECT_EQ(listed, registered) << protocol;
  }
}

// A check runs only for the protocols it declares, even when expect.checks turns it on.
TEST(RunChecks, RunsOnlyTheChecksOfTheScenarioProtocol) {
  LogBuilder b;
  testing::clean_handshake(b, false);
  b.scenario.expect.checks_enabled["tcp_handshake"] = true;
  for (const auto& r : run_checks(b.inputs())) EXPECT_NE(r.name, "tcp_handshake");
  b.scenario.protocol = "tcp";
  b.scenario.expect.checks_enabled["handshake_completes"] = true;
  const auto results = run_checks(b.inputs());
  EXPECT_EQ(results.size(), checks_judging("tcp"));
  for (const auto& r : results) EXPECT_EQ(r.name.find("handshake_completes"), std::string::npos);
  EXPECT_GE(checks_judging("tcp"), 5u);
}

TEST(RunChecks, SkipsChecksDisabledInTheScenario) {
  LogBuilder b;
  testing::clean_handshake(b, false);
  b.scenario.expect.checks_enabled["record_boundaries"] = false;
  b.scenario.expect.checks_enabled["handshake_completes"] = true;
  auto results = run_checks(b.inputs());
  std::vector<std::string> names;
  for (const auto& r : results) names.push_back(r.name);
  EXPECT_EQ(std::count(names.begin(), names.end(), "record_boundaries"), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), "handshake_completes"), 1);
  EXPECT_EQ(results.size(), checks_judging("dtls1.2") - 2);  // and last_flight_answered, off by default
  EXPECT_EQ(std::count(names.begin(), names.end(), "last_flight_answered"), 0);
}

TEST(RunChecks, RunsAnOffByDefaultCheckOnlyWhenTurnedOn) {
  LogBuilder b;
  testing::clean_handshake(b, false);
  auto names_of = [](const std::vector<CheckResult>& rs) {
    std::vector<std::string> n;
    for (const auto& r : rs) n.push_back(r.name);
    return n;
  };
  auto off = names_of(run_checks(b.inputs()));
  EXPECT_EQ(std::count(off.begin(), off.end(), "last_flight_answered"), 0);
  b.scenario.expect.checks_enabled["last_flight_answered"] = true;
  auto on = names_of(run_checks(b.inputs()));
  EXPECT_EQ(std::count(on.begin(), on.end(), "last_flight_answered"), 1);
}

TEST(RunChecks, FillsNameRfcAndSentenceFromTheDeclaration) {
  LogBuilder b;
  testing::clean_handshake(b, false);
  for (const auto& r : run_checks(b.inputs())) {
    EXPECT_FALSE(r.name.empty());
    EXPECT_FALSE(r.rfc.empty()) << r.name;
  }
}

TEST(ToJson, WritesTheResultFields) {
  CheckResult r{"record_boundaries", "RFC 6347 4.1.1", "Each DTLS record MUST fit within a single datagram.",
                Verdict::fail, {{"malformed_datagrams", 0}}, {{"malformed_datagrams", 1}}, "one bad", {4}};
  auto j = to_json(r);
  EXPECT_EQ(j["name"], "record_boundaries");
  EXPECT_EQ(j["rfc"], "RFC 6347 4.1.1");
  EXPECT_EQ(j["verdict"], "fail");
  EXPECT_EQ(j["expected"]["malformed_datagrams"], 0);
  EXPECT_EQ(j["measured"]["malformed_datagrams"], 1);
  EXPECT_EQ(j["detail"], "one bad");
  EXPECT_EQ(j["evidence"], nlohmann::json::array({4}));
  EXPECT_EQ(to_json(CheckResult{})["expected"], nlohmann::json::object());
}

TEST(ToString, NamesEveryVerdict) {
  EXPECT_EQ(to_string(Verdict::pass), "pass");
  EXPECT_EQ(to_string(Verdict::fail), "fail");
  EXPECT_EQ(to_string(Verdict::not_applicable), "not_applicable");
}

}  // namespace
}  // namespace wireproof::checks

namespace wireproof::checks {
namespace {

TEST(RunChecks, AnUnknownParameterFailsTheCheckAndNamesTheKnownOnes) {
  testing::LogBuilder b;
  testing::clean_handshake(b, false);
  b.scenario.expect.check_params_json["mtu_fit"] = R"({"grace_retransmission": 3})";
  b.scenario.expect.check_params_json["record_boundaries"] = R"({"strict": true})";
  std::map<std::string, CheckResult> by_name;
  for (auto& r : run_checks(b.inputs())) by_name[r.name] = r;
  EXPECT_EQ(by_name["mtu_fit"].verdict, Verdict::fail);
  EXPECT_NE(by_name["mtu_fit"].detail.find("unknown parameter 'grace_retransmission' (known: grace_retransmissions)"),
            std::string::npos)
      << by_name["mtu_fit"].detail;
  // Checks without parameters are validated too.
  EXPECT_EQ(by_name["record_boundaries"].verdict, Verdict::fail);
  EXPECT_NE(by_name["record_boundaries"].detail.find("(known: none)"), std::string::npos);
  EXPECT_EQ(by_name["handshake_completes"].verdict, Verdict::pass);
}

}  // namespace
}  // namespace wireproof::checks
