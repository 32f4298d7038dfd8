#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <set>
#include <unistd.h>
#include <fstream>

#include "harness/runner/expectations.hpp"
#include "harness/runner/matrix.hpp"
#include "harness/runner/peer_process.hpp"
#include "harness/runner/peer_timeouts.hpp"
#include "harness/runner/run.hpp"
#include "harness/runner/verdict.hpp"

using namespace wireproof::runner;
namespace fs = std::filesystem;

TEST(Expectations, MatchesWildcardsAndNamesTheReason) {
  auto e = parse_expectations(
      "- scenario: mtu-shrink\n  client: gnutls\n  check: mtu_fit\n  reason: keeps 1228-byte datagrams\n", "x.yaml");
  EXPECT_EQ(e.known_failure("mtu-shrink", "gnutls", "openssl", "mtu_fit"), "keeps 1228-byte datagrams");
  EXPECT_FALSE(e.known_failure("mtu-shrink", "openssl", "openssl", "mtu_fit"));
  EXPECT_FALSE(e.known_failure("mtu-shrink", "gnutls", "openssl", "record_sequence"));
}

TEST(Expectations, BadEntryNamesFileLineCol) {
  try {
    parse_expectations("- scenario: a\n  reason: r\n  chek: mtu_fit\n", "known.yaml");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("known.yaml:3:3: unknown key 'chek'", 0), 0u) << e.what();
  }
  EXPECT_THROW(parse_expectations("- scenario: a\n", "k.yaml"), std::runtime_error);  // no reason
}

static PeerEnd ok(std::string role) { return {role, 0, "exited 0", false, "", ""}; }

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
  PeerEnd crashed{"server", 139, "killed by signal 11 (Segmentation fault)", false, "", ""};
  auto v = decide_verdict("", ok("client"), crashed, {{"a", "fail"}});
  EXPECT_EQ(v.verdict, "error");
  EXPECT_NE(v.reason.find("server crashed"), std::string::npos);
  PeerEnd unsupported{"client", 127, "exited 127", false, "", ""};
  EXPECT_EQ(decide_verdict("", unsupported, ok("server"), {}).verdict, "unsupported");
  PeerEnd never_started{"client", std::nullopt, "", false, "", ""};
  PeerEnd unsupported_server{"server", 127, "exited 127", false, "", ""};
  EXPECT_EQ(decide_verdict("", never_started, unsupported_server, {}).verdict, "unsupported");
  EXPECT_EQ(decide_verdict("", never_started, ok("server"), {}).reason, "client was not started");
  PeerEnd garbage{"client", 0, "exited 0", false, "stdout line is not a JSON event object: 'hello'", ""};
  EXPECT_EQ(decide_verdict("", garbage, ok("server"), {}).verdict, "error");
  PeerEnd hung{"client", 137, "killed", true, "", ""};
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
