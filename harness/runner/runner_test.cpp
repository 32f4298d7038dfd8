#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <set>
#include <unistd.h>
#include <fstream>

#include <nlohmann/json.hpp>

#include "harness/runner/capabilities.hpp"
#include "harness/runner/expectations.hpp"
#include "harness/runner/xpass.hpp"
#include "harness/runner/matrix.hpp"
#include "harness/runner/peer_process.hpp"
#include "harness/runner/peer_timeouts.hpp"
#include "harness/runner/run.hpp"
#include "harness/runner/verdict.hpp"

using namespace wireproof::runner;
namespace fs = std::filesystem;

static const ExpectationNames kNames = expectation_names({"openssl", "gnutls", "ref", "gnutls-cli"});

static Expectations parse(const std::string& text) { return parse_expectations(text, "x.yaml", kNames); }

// The message parse_expectations throws for `text`, or "" when it loads.
static std::string parse_error(const std::string& text) {
  try {
    parse_expectations(text, "known.yaml", kNames);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

static CellIdentity cell(std::string scenario, std::string client, std::string server,
                         std::string client_version = "3.0.19", std::string server_version = "3.7.9") {
  return {std::move(scenario), std::move(client), std::move(server), std::move(client_version),
          std::move(server_version)};
}

static const char* reason_of(const KnownFailure* k) { return k ? k->reason.c_str() : "(none)"; }

TEST(Expectations, MatchesWildcardsAndNamesTheReason) {
  auto e = parse("- scenario: mtu-shrink\n  client: gnutls\n  check: mtu_fit\n  reason: keeps 1228-byte datagrams\n");
  EXPECT_STREQ(reason_of(e.known_failure(cell("mtu-shrink", "gnutls", "openssl"), {"mtu_fit", "", {"c2s"}})),
               "keeps 1228-byte datagrams");
  EXPECT_FALSE(e.known_failure(cell("mtu-shrink", "openssl", "openssl"), {"mtu_fit", "", {"c2s"}}));
  EXPECT_FALSE(e.known_failure(cell("mtu-shrink", "gnutls", "openssl"), {"record_sequence", "", {"c2s"}}));
  EXPECT_EQ(e.entries.at(0).where, "x.yaml:1:3");
}

TEST(Expectations, BadEntryNamesFileLineCol) {
  EXPECT_EQ(parse_error("- scenario: a\n  reason: r\n  chek: mtu_fit\n").rfind("known.yaml:3:3: unknown key 'chek'", 0),
            0u);
  EXPECT_NE(parse_error("- scenario: a\n  check: mtu_fit\n"), "");  // no reason
}

// Before: an entry without `check` matched every check, and unknown names
// were ignored, so a typo silently disabled nothing (or everything).
TEST(Expectations, CheckIsRequiredAndUnknownNamesAreBadInput) {
  EXPECT_EQ(parse_error("- scenario: a\n  reason: r\n"), "known.yaml:1:3: a known failure needs 'check' (the check that fails)");
  auto unknown_check = parse_error("- scenario: a\n  check: mtu_fits\n  reason: r\n");
  EXPECT_EQ(unknown_check.rfind("known.yaml:2:10: unknown check 'mtu_fits' (known checks: handshake_completes", 0), 0u)
      << unknown_check;
  auto unknown_peer = parse_error("- scenario: a\n  server: gnutsl\n  check: mtu_fit\n  reason: r\n");
  EXPECT_EQ(unknown_peer, "known.yaml:2:11: unknown peer 'gnutsl' (registered: openssl, gnutls, ref, gnutls-cli)");
  EXPECT_NE(parse_error("- scenario: a\n  check: mtu_fit\n  dir: both\n  reason: r\n"), "");
}

// Before: `scenario: "*"` for gnutls-cli on retransmission_schedule also
// xfailed the other peer's timer, in every scenario.
TEST(Expectations, WildcardScenarioNeedsDirForAPerDirectionCheck) {
  auto err = parse_error("- scenario: \"*\"\n  client: gnutls-cli\n  check: retransmission_schedule\n  reason: r\n");
  EXPECT_EQ(err.rfind("known.yaml:1:3: scenario \"*\" with check 'retransmission_schedule', which judges each "
                      "direction, needs 'dir'",
                      0),
            0u)
      << err;
  // A whole-run check has one outcome: no direction to pin.
  EXPECT_EQ(parse_error("- scenario: \"*\"\n  client: gnutls-cli\n  check: handshake_completes\n  reason: r\n"), "");
  // ...and a direction pinned on it could never match (it would only ever be an XPASS).
  EXPECT_EQ(parse_error("- scenario: s\n  check: handshake_completes\n  dir: c2s\n  reason: r\n"),
            "known.yaml:1:3: check 'handshake_completes' judges the whole run, not one direction: 'dir' does not "
            "apply (remove it)");
}

TEST(Expectations, DirCoversAFailureOfThatDirectionOnly) {
  auto e = parse("- scenario: \"*\"\n  client: gnutls-cli\n  check: retransmission_schedule\n  dir: c2s\n  reason: r\n");
  auto c = cell("any", "gnutls-cli", "openssl");
  EXPECT_TRUE(e.known_failure(c, {"retransmission_schedule", "", {"c2s"}}));
  EXPECT_FALSE(e.known_failure(c, {"retransmission_schedule", "", {"s2c"}}));         // the server's timer
  EXPECT_FALSE(e.known_failure(c, {"retransmission_schedule", "", {"c2s", "s2c"}}));  // both: not only this finding
  EXPECT_FALSE(e.known_failure(c, {"retransmission_schedule", "", {}}));              // direction unknown
}

TEST(Expectations, DetailIsASubstringOfTheChecksDetail) {
  auto e = parse("- scenario: s\n  check: mtu_fit\n  detail: \"ip_size 1001\"\n  reason: r\n");
  EXPECT_TRUE(e.known_failure(cell("s", "a", "b"), {"mtu_fit", "3 datagrams over: first ip_size 1001 > 576", {}}));
  EXPECT_FALSE(e.known_failure(cell("s", "a", "b"), {"mtu_fit", "3 datagrams over: first ip_size 1228 > 576", {}}));
}

// Before: an entry written for GnuTLS 3.7.9 applied to any later version.
TEST(Expectations, VersionRangeIsCheckedAgainstTheNamedPeersReportedVersion) {
  auto e = parse("- scenario: s\n  server: gnutls\n  version: \">=3.7.9 <3.8\"\n  check: mtu_fit\n  reason: r\n");
  EXPECT_EQ(e.entries.at(0).server_version.size(), 2u);
  EXPECT_TRUE(e.known_failure(cell("s", "openssl", "gnutls", "3.0.19", "3.7.9"), {"mtu_fit", "", {}}));
  EXPECT_TRUE(e.known_failure(cell("s", "openssl", "gnutls", "3.0.19", "3.7.11"), {"mtu_fit", "", {}}));
  EXPECT_FALSE(e.known_failure(cell("s", "openssl", "gnutls", "3.0.19", "3.8.0"), {"mtu_fit", "", {}}));
  EXPECT_FALSE(e.known_failure(cell("s", "openssl", "gnutls", "3.0.19", "3.7.8"), {"mtu_fit", "", {}}));
  EXPECT_FALSE(e.known_failure(cell("s", "openssl", "gnutls", "3.0.19", "unavailable: x"), {"mtu_fit", "", {}}));
  EXPECT_TRUE(version_in_range("3.0.19", {{">=", {3, 0}}, {"<", {3, 1}}}));
  EXPECT_NE(parse_error("- scenario: s\n  server: gnutls\n  version: \"~3.7\"\n  check: mtu_fit\n  reason: r\n"), "");
  // Both peers named: `version` would be ambiguous.
  EXPECT_NE(parse_error("- scenario: s\n  client: openssl\n  server: gnutls\n  version: \">=3\"\n  check: mtu_fit\n"
                        "  reason: r\n"),
            "");
}

TEST(Expectations, AnEntryThatMatchedNothingInACellItCoversIsUnmatched) {
  auto e = parse("- scenario: s\n  server: gnutls\n  check: mtu_fit\n  reason: r\n"
                 "- scenario: t\n  server: gnutls\n  check: mtu_fit\n  reason: r\n");
  // Only s ran; its entry matched nothing: XPASS. t did not run: not counted.
  auto stale = e.unmatched({cell("s", "openssl", "gnutls")}, {});
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0]->where, "x.yaml:1:3");
  EXPECT_TRUE(e.unmatched({cell("s", "openssl", "gnutls")}, {"x.yaml:1:3"}).empty());
}

// The shipped file loads against the shipped registry, and its wildcards pin a direction.
TEST(Expectations, ShippedFileIsValid) {
  std::ifstream reg(std::string(WIREPROOF_SOURCE_DIR) + "/peers/registry.json");
  std::vector<std::string> peers;
  const auto doc = nlohmann::json::parse(reg);
  for (const auto& p : doc["peers"]) peers.push_back(p["name"].get<std::string>());
  auto e = load_expectations(std::string(WIREPROOF_SOURCE_DIR) + "/ci/expected-failures.yaml", expectation_names(peers));
  ASSERT_FALSE(e.entries.empty());
  for (const auto& k : e.entries) {
    EXPECT_TRUE(!k.client_version.empty() || !k.server_version.empty()) << k.where << " pins no version";
    if (k.scenario == "*" && k.check == "retransmission_schedule") {
      EXPECT_TRUE(k.dir) << k.where;
    }
  }
}

// XPASS from what runs wrote: a judged cell whose checks did not xfail with
// the entry. An error run judged nothing and does not count.
TEST(Xpass, FromResultsOfJudgedRuns) {
  auto e = parse("- scenario: s\n  server: gnutls\n  check: mtu_fit\n  reason: stale\n");
  auto result = [](std::string verdict, nlohmann::json checks) {
    return nlohmann::json{{"verdict", verdict},
                          {"scenario", {{"name", "s"}}},
                          {"client", {{"name", "openssl"}, {"version", "3.0.19"}}},
                          {"server", {{"name", "gnutls"}, {"version", "3.7.9"}}},
                          {"checks", checks}};
  };
  auto passing = result("pass", nlohmann::json::array({{{"name", "mtu_fit"}, {"verdict", "pass"}}}));
  auto xpass = find_xpass(e, {passing});
  ASSERT_EQ(xpass.size(), 1u);
  EXPECT_EQ(xpass[0]["entry"], "x.yaml:1:3");
  EXPECT_NE(xpass_lines(xpass).find("xpass x.yaml:1:3"), std::string::npos);
  auto xfailed = result("xfail", nlohmann::json::array(
                                     {{{"name", "mtu_fit"}, {"verdict", "xfail"}, {"expected_failure_entry", "x.yaml:1:3"}}}));
  EXPECT_TRUE(find_xpass(e, {xfailed, passing}).empty());  // matched in one run of the cell: not stale
  EXPECT_TRUE(find_xpass(e, {result("error", nlohmann::json::array())}).empty());
  // A run the entry's check did not judge (a DTLS check in a TLS run, or not
  // applicable there) says nothing of the entry: no XPASS. Without the rule
  // the DTLS stock-tool entries (scenario "*") were XPASS in every TLS run.
  auto other = result("pass", nlohmann::json::array({{{"name", "record_size"}, {"verdict", "pass"}}}));
  EXPECT_TRUE(find_xpass(e, {other}).empty());
  auto not_applicable = result("pass", nlohmann::json::array({{{"name", "mtu_fit"}, {"verdict", "not_applicable"}}}));
  EXPECT_TRUE(find_xpass(e, {not_applicable}).empty());
}

// PeerEnd by field name: it grows, and brace lists trip -Wmissing-field-initializers.
static PeerEnd peer_end(std::string role, std::optional<int> code, std::string reason, bool killed = false,
                        std::string violation = "") {
  PeerEnd e;
  e.role = std::move(role);
  e.exit_code = code;
  e.exit_reason = std::move(reason);
  e.killed_at_deadline = killed;
  e.contract_violation = std::move(violation);
  return e;
}
static PeerEnd ok(std::string role) { return peer_end(std::move(role), 0, "exited 0"); }

// A stock tool with a fixed 1 s timer next to a 100 ms scenario: the idle
// limit follows the slower timer, so the 1 s peer's back-off (1, 3, 7 s) is
// not cut short by its partner giving up after 4 s.
TEST(PeerTimeouts, IdleFollowsTheSlowestTimer) {
  wireproof::scenario::Scenario sc;
  sc.peers.timer_initial_ms = 100;
  PeerCommand shim, stock;
  stock.kind = "stock";
  stock.fixed_timer_ms_as_client = 1000;
  stock.fixed_timer_ms_as_server = 1000;
  EXPECT_EQ(longest_timer_ms(sc, shim, shim), 100);
  EXPECT_EQ(longest_timer_ms(sc, stock, shim), 1000);
  EXPECT_EQ(longest_timer_ms(sc, shim, stock), 1000);
  EXPECT_EQ(idle_timeout_ms(sc), 4000);
  EXPECT_EQ(idle_timeout_ms(sc, longest_timer_ms(sc, stock, shim)), 10000);
  PeerCommand server_fixed_only = shim;
  server_fixed_only.fixed_timer_ms_as_server = 1000;  // fixed as a server, settable as a client
  EXPECT_EQ(longest_timer_ms(sc, server_fixed_only, shim), 100);
}

// A scenario's handshake limit is written for its timer: a peer with a slower
// fixed timer gets as many of its own retransmissions (mtu-shrinks-mid-handshake
// with s_server: 5 s at 100 ms would cut its 1 s timer off before mtu_fit's grace).
TEST(PeerTimeouts, HandshakeLimitScalesWithASlowerFixedTimer) {
  wireproof::scenario::Scenario sc;
  sc.peers.timer_initial_ms = 100;
  sc.run_timeout_s = 20;
  EXPECT_EQ(handshake_timeout_ms(sc), 17000);  // no limit in the scenario: the run's less 3 s
  sc.peers.handshake_timeout_ms = 5000;
  EXPECT_EQ(handshake_timeout_ms(sc), 5000);
  EXPECT_EQ(handshake_timeout_ms(sc, 100), 5000);
  EXPECT_EQ(handshake_timeout_ms(sc, 1000), 18000);  // 50 s scaled, capped at the run deadline less 2 s
  sc.run_timeout_s = 90;
  EXPECT_EQ(handshake_timeout_ms(sc, 1000), 50000);
}

// The client's idle limit only ends an echo that never heard back; half the server's.
TEST(PeerTimeouts, ClientIdleIsHalfTheServers) {
  wireproof::scenario::Scenario sc;
  sc.peers.timer_initial_ms = 100;
  EXPECT_EQ(client_idle_timeout_ms(sc), 2000);
  EXPECT_EQ(idle_timeout_ms(sc), 4000);
  EXPECT_EQ(client_idle_timeout_ms(sc, 1000), 10000);
}

TEST(Verdict, WorstWins) {
  EXPECT_EQ(decide_verdict("", ok("client"), ok("server"), {{"a", "pass"}}).verdict, "pass");
  EXPECT_EQ(decide_verdict("", ok("client"), ok("server"), {{"a", "xfail"}, {"b", "pass"}}).verdict, "xfail");
  EXPECT_EQ(decide_verdict("", ok("client"), ok("server"), {{"a", "xfail"}, {"b", "fail"}}).verdict, "fail");
  const PeerEnd crashed = peer_end("server", 139, "killed by signal 11 (Segmentation fault)");
  auto v = decide_verdict("", ok("client"), crashed, {{"a", "fail"}});
  EXPECT_EQ(v.verdict, "error");
  EXPECT_NE(v.reason.find("server crashed"), std::string::npos);
  const PeerEnd unsupported = peer_end("client", 127, "exited 127");
  EXPECT_EQ(decide_verdict("", unsupported, ok("server"), {}).verdict, "unsupported");
  const PeerEnd never_started = peer_end("client", std::nullopt, "");
  const PeerEnd unsupported_server = peer_end("server", 127, "exited 127");
  EXPECT_EQ(decide_verdict("", never_started, unsupported_server, {}).verdict, "unsupported");
  EXPECT_EQ(decide_verdict("", never_started, ok("server"), {}).reason, "client was not started");
  const PeerEnd garbage = peer_end("client", 0, "exited 0", false, "stdout line is not a JSON event object: 'hello'");
  EXPECT_EQ(decide_verdict("", garbage, ok("server"), {}).verdict, "error");
  const PeerEnd hung = peer_end("client", 137, "killed", true, "");
  EXPECT_EQ(decide_verdict("", hung, ok("server"), {}).verdict, "error");
  EXPECT_EQ(decide_verdict("no pki", ok("client"), ok("server"), {}).verdict, "error");
}

TEST(Matrix, ShardsPartitionTheCells) {
  std::vector<std::pair<std::string, std::string>> sc{{"b", "b.yaml"}, {"a", "a.yaml"}, {"c", "c.yaml"}};
  auto all = plan_matrix(sc, {"x", "y"}, {"x", "y"}, {1, 1});
  ASSERT_EQ(all.size(), 12u);
  EXPECT_EQ(all.front().dir, "a/x__x");
  std::size_t total = 0;
  std::set<std::string> seen;
  for (unsigned i = 1; i <= 5; ++i)
    for (const auto& c : plan_matrix(sc, {"x", "y"}, {"x", "y"}, {i, 5})) {
      ++total;
      EXPECT_TRUE(seen.insert(c.dir).second) << c.dir << " in two shards";
    }
  EXPECT_EQ(total, 12u);
  EXPECT_EQ(parse_shard("2/4").index, 2u);
  EXPECT_THROW(parse_shard("5/4"), std::invalid_argument);
  EXPECT_THROW(parse_shard("0/4"), std::invalid_argument);
  EXPECT_THROW(parse_shard("2-4"), std::invalid_argument);
}

TEST(Matrix, JunitEscapesPeerText) {
  nlohmann::json summary{{"counts", {{"fail", 1}}},
                         {"runs", {{{"scenario", "s"}, {"client", "a"}, {"server", "b"}, {"verdict", "fail"},
                                    {"reason", "<script>&\"x\x01"}, {"dir", "s/a__b"}}}}};
  auto x = junit_xml(summary, "out");
  EXPECT_EQ(x.find("<script>"), std::string::npos);
  EXPECT_NE(x.find("&lt;script&gt;&amp;&quot;x "), std::string::npos) << x;
  EXPECT_NE(x.find("<failure"), std::string::npos);
}

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("wp-runner-" + std::to_string(::getpid()))) {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path operator/(const std::string& s) const { return path_ / s; }

 private:
  fs::path path_;
};

TEST(PeerProcess, ReadsLinesAndExitCode) {
  TempDir d;
  PeerProcess p({"/bin/echo", "{\"event\":\"ready\"}"}, (d / "out").string(), (d / "err").string());
  std::vector<std::string> lines;
  for (int k = 0; k < 200 && (p.stdout_fd() >= 0 || p.running()); ++k) {
    for (auto& l : p.read_lines()) lines.push_back(l);
    usleep(5000);
  }
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "{\"event\":\"ready\"}");
  EXPECT_EQ(p.exit_code(), 0);
  std::ifstream copy(d / "out");
  std::string first;
  std::getline(copy, first);
  EXPECT_EQ(first, lines[0]);
}

TEST(PeerProcess, TerminateEndsAHangingPeer) {
  TempDir d;
  PeerProcess p({"/bin/sleep", "60"}, (d / "out").string(), (d / "err").string());
  int pid = p.pid();
  EXPECT_TRUE(p.running());
  p.terminate("test deadline");
  EXPECT_FALSE(p.running());
  EXPECT_NE(p.exit_reason().find("signal"), std::string::npos) << p.exit_reason();
  EXPECT_NE(::kill(pid, 0), 0);  // gone, and reaped
}

TEST(PeerProcess, MissingExecutableIsAClearError) {
  TempDir d;
  try {
    PeerProcess p({"/nonexistent/peer"}, (d / "out").string(), (d / "err").string());
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/peer"), std::string::npos);
  }
}

// peers/CONTRACT.md "Capabilities" on the runner's side.
TEST(Capabilities, AScenarioNeedingAnUndeclaredOptionIsAGapNamingIt) {
  wireproof::scenario::Scenario sc;
  PeerCommand full, no_mtu, narrow;
  no_mtu.capabilities.options = std::vector<std::string>{"timer-initial-ms", "echo-bytes", "chunk"};
  narrow.capabilities.mtu_min = 576;
  narrow.capabilities.mtu_max = 1500;
  // No MTU in the scenario: nothing needed, and --mtu is not passed to a peer without it.
  EXPECT_FALSE(capability_gap(sc, no_mtu, false));
  EXPECT_FALSE(scenario_peer_mtu(sc));
  EXPECT_FALSE(no_mtu.capabilities.accepts("mtu"));
  EXPECT_TRUE(full.capabilities.accepts("mtu"));
  sc.link.mtu = 1200;
  sc.link.mtu_given = true;
  EXPECT_EQ(scenario_peer_mtu(sc), 1200);
  EXPECT_EQ(capability_gap(sc, no_mtu, false).value_or(""),
            "--mtu (the scenario sets an MTU of 1200; the registry does not list it in capabilities.options)");
  EXPECT_FALSE(capability_gap(sc, full, false));
  EXPECT_FALSE(capability_gap(sc, narrow, false));
  sc.peers.mtu = 300;
  EXPECT_EQ(capability_gap(sc, narrow, false).value_or(""), "--mtu 300 (the registry declares capabilities.mtu 576..1500)");
  EXPECT_EQ(capability_gap(wireproof::scenario::Scenario{}, no_mtu, true).value_or("").rfind("--framing", 0), 0u);
}

TEST(Capabilities, TheRefusedOptionIsNamedInTheUnsupportedReason) {
  std::vector<nlohmann::json> events{{{"event", "error"}, {"message", "unsupported: --mtu 300 (accepts 576..1500)"}}};
  EXPECT_EQ(refused_option(events), "--mtu 300 (accepts 576..1500)");
  EXPECT_EQ(refused_option({{{"event", "error"}, {"message", "usage: bad"}}}), "");
  PeerEnd p = peer_end("server", 127, "exited 127");
  p.refused = refused_option(events);
  EXPECT_EQ(unsupported_reason(p).value_or(""), "server does not support --mtu 300 (accepts 576..1500) (exit 127)");
  EXPECT_EQ(decide_verdict("", ok("client"), p, {}).reason, "server does not support --mtu 300 (accepts 576..1500) (exit 127)");
  p.refused.clear();
  EXPECT_NE(unsupported_reason(p).value_or("").find("no \"unsupported: --option\" event"), std::string::npos);
  PeerEnd declared = peer_end("client", std::nullopt, "");
  declared.refused = "--mtu (...)";
  declared.not_started_unsupported = true;
  EXPECT_EQ(decide_verdict("", declared, ok("server"), {}).verdict, "unsupported");
  EXPECT_FALSE(unsupported_reason(ok("server")));
}

TEST(Capabilities, IdleLimitsFollowTheTimerGranularity) {
  wireproof::scenario::Scenario sc;
  sc.peers.timer_initial_ms = 100;
  PeerCommand shim, coarse;
  coarse.capabilities.timer_granularity_ms = 1000;
  EXPECT_EQ(longest_timer_ms(sc, shim, shim), 100);
  EXPECT_EQ(longest_timer_ms(sc, shim, coarse), 1000);
}
