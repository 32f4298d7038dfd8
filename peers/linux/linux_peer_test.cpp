// wireproof-linux end to end: two shim processes over kernel sockets on
// loopback, every workload, IPv4 and IPv6, blocking and non-blocking.
#include <signal.h>
#include <sys/utsname.h>

#include <gtest/gtest.h>

#include <boost/filesystem.hpp>

#include "peers/common/echo_chunks.hpp"
#include "peers/common/test_peer.hpp"

namespace wireproof::peers {
namespace {

using nlohmann::json;
using testing::TestPeer;
namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  auto d = fs::temp_directory_path() / ("wp-linux-peer-" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d / name;
}

std::vector<std::string> argv_of(std::vector<std::string> args) {
  args.insert(args.begin(), WP_PEER_LINUX);
  return args;
}

std::vector<json> all(const TestPeer& p, const std::string& name) {
  std::vector<json> out;
  for (const auto& e : p.events())
    if (e.value("event", "") == name) out.push_back(e);
  return out;
}

json tcp_info_when(const TestPeer& p, const std::string& when) {
  for (const auto& e : all(p, "tcp_info"))
    if (e.value("when", "") == when) return e;
  return json();
}

struct Pair {
  std::unique_ptr<TestPeer> server, client;
  int server_rc = -1, client_rc = -1;
};

// Runs one workload between two shims: `host` is "127.0.0.1" or "::1".
Pair run_pair(const std::string& test, const std::string& host, std::vector<std::string> common,
              std::vector<std::string> server_extra = {}, std::vector<std::string> client_extra = {}) {
  Pair p;
  const bool v6 = host.find(':') != std::string::npos;
  const std::string listen = v6 ? "[" + host + "]:0" : host + ":0";
  std::vector<std::string> s = {"--role", "server", "--protocol", "tcp", "--listen", listen};
  s.insert(s.end(), common.begin(), common.end());
  s.insert(s.end(), server_extra.begin(), server_extra.end());
  p.server = std::make_unique<TestPeer>(argv_of(s), scratch(test + ".server.err"));
  json ready = p.server->next_event();
  EXPECT_EQ(ready.value("event", ""), "ready") << p.server->transcript();
  const int port = ready.value("port", 0);
  std::vector<std::string> c = {"--role", "client", "--protocol", "tcp", "--connect",
                                (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port)};
  c.insert(c.end(), common.begin(), common.end());
  c.insert(c.end(), client_extra.begin(), client_extra.end());
  p.client = std::make_unique<TestPeer>(argv_of(c), scratch(test + ".client.err"));
  p.client_rc = p.client->finish();
  p.server_rc = p.server->finish();
  return p;
}

std::string expected_stream_sha(std::uint64_t bytes, std::uint32_t chunk) { return expected_digest({bytes, chunk}); }

void expect_connected_with_tcp_info(const TestPeer& p, const std::string& local_prefix) {
  json c = p.event("connected");
  ASSERT_TRUE(c.is_object()) << p.transcript();
  EXPECT_EQ(c["local"].get<std::string>().rfind(local_prefix, 0), 0u) << c;
  EXPECT_GT(c["tcp_info"]["rto_us"].get<long>(), 0) << c;
  EXPECT_GT(c["tcp_info"]["snd_mss"].get<long>(), 0) << c;
  EXPECT_EQ(c["tcp_info"]["state"], "established") << c;
  EXPECT_EQ(c["tcp_info"]["ca_state"], "open") << c;
  EXPECT_TRUE(tcp_info_when(p, "after_workload").is_object()) << p.transcript();
}

void expect_echo_verified(const Pair& p, std::uint64_t bytes, std::uint32_t chunk) {
  EXPECT_EQ(p.client_rc, 0) << p.client->transcript();
  EXPECT_EQ(p.server_rc, 0) << p.server->transcript();
  json c = p.client->event("app_data"), s = p.server->event("app_data");
  const auto want = expected_stream_sha(bytes, chunk);
  EXPECT_EQ(c["sent_sha256"], want) << c;
  EXPECT_EQ(c["echoed_sha256"], want) << c;
  EXPECT_EQ(s["received_sha256"], want) << s;
  EXPECT_EQ(c["echoed_bytes"], (ChunkPlan{bytes, chunk}.stream_bytes())) << c;
  EXPECT_FALSE(c.contains("incomplete")) << c;
}

TEST(LinuxPeer, EchoOverIpv4Blocking) {
  auto p = run_pair("echo4", "127.0.0.1", {"--echo-bytes", "200000", "--chunk", "1000"});
  expect_echo_verified(p, 200000, 1000);
  expect_connected_with_tcp_info(*p.client, "127.0.0.1:");
  expect_connected_with_tcp_info(*p.server, "127.0.0.1:");
  EXPECT_EQ(p.client->event("closed")["reason"], "done");
  EXPECT_EQ(p.server->event("closed")["reason"], "fin");
  // The client reports its port in ready before connecting: the same port it connects from.
  json ready = p.client->event("ready");
  EXPECT_EQ(p.client->event("connected")["local"], "127.0.0.1:" + std::to_string(ready["port"].get<int>()));
}

TEST(LinuxPeer, EchoOverIpv6NonBlocking) {
  auto p = run_pair("echo6", "::1", {"--echo-bytes", "300000", "--chunk", "4096", "--nonblocking"});
  expect_echo_verified(p, 300000, 4096);
  expect_connected_with_tcp_info(*p.client, "[::1]:");
}

TEST(LinuxPeer, BulkIsCountedAndDigestedByTheServer) {
  auto p = run_pair("bulk", "127.0.0.1", {"--workload", "bulk", "--echo-bytes", "2000000", "--chunk", "16000"});
  EXPECT_EQ(p.client_rc, 0) << p.client->transcript();
  EXPECT_EQ(p.server_rc, 0) << p.server->transcript();
  const auto want = expected_stream_sha(2000000, 16000);
  EXPECT_EQ(p.client->event("app_data")["sent_sha256"], want);
  EXPECT_EQ(p.server->event("app_data")["received_sha256"], want) << p.server->transcript();
  EXPECT_EQ(p.server->event("app_data")["received_bytes"], (ChunkPlan{2000000, 16000}.stream_bytes()));
  // Everything was acknowledged before the after_workload report (the server's FIN came last).
  EXPECT_EQ(tcp_info_when(*p.client, "after_workload")["unacked"], 0) << p.client->transcript();
}

TEST(LinuxPeer, StallStopsReadingThenReadsEverything) {
  auto p = run_pair("stall", "127.0.0.1",
                    {"--workload", "stall", "--stall-ms", "600", "--echo-bytes", "8000000", "--chunk", "16000"});
  EXPECT_EQ(p.client_rc, 0) << p.client->transcript();
  EXPECT_EQ(p.server_rc, 0) << p.server->transcript();
  json before = tcp_info_when(*p.server, "before_stall"), after = tcp_info_when(*p.server, "after_stall");
  ASSERT_TRUE(before.is_object() && after.is_object()) << p.server->transcript();
  EXPECT_GE(after["t_ms"].get<double>() - before["t_ms"].get<double>(), 600.0);
  EXPECT_EQ(p.server->event("app_data")["received_sha256"], expected_stream_sha(8000000, 16000));
  // tcp_info samples while the workload runs (peers/CONTRACT.md "TCP"): the
  // first read always, later ones only when a watched field changed.
  std::vector<json> samples;
  for (const auto& e : all(*p.client, "tcp_info"))
    if (e.value("when", "") == "sample") samples.push_back(e);
  ASSERT_FALSE(samples.empty()) << p.client->transcript();
  EXPECT_GE(samples[0]["reordering"].get<int>(), 3) << samples[0];
  EXPECT_TRUE(samples[0].contains("sacked")) << samples[0];
  for (std::size_t k = 1; k < samples.size(); ++k) {
    bool differs = false;
    for (const char* f : {"ca_state", "reordering", "retransmits", "rto_us", "state"})
      differs = differs || samples[k][f] != samples[k - 1][f];
    EXPECT_TRUE(differs) << samples[k - 1] << " then " << samples[k];
  }
}

TEST(LinuxPeer, UrgentByteArrivesOutOfBandAtTheMark) {
  auto p = run_pair("urgent", "127.0.0.1", {"--workload", "urgent", "--echo-bytes", "20000", "--chunk", "1000"});
  EXPECT_EQ(p.client_rc, 0) << p.client->transcript();
  EXPECT_EQ(p.server_rc, 0) << p.server->transcript();
  json c = p.client->event("app_data"), s = p.server->event("app_data");
  EXPECT_EQ(c["urgent_offset"], 10 * 1008) << c;  // after 10 of 20 records
  EXPECT_EQ(c["inband_sha256"], expected_stream_sha(20000, 1000));
  EXPECT_NE(c["sent_sha256"], c["inband_sha256"]);  // the wire carried the urgent byte too
  // Linux, SO_OOBINLINE off: the urgent byte is taken out of the stream and read with MSG_OOB.
  ASSERT_EQ(s["oob"].size(), 1u) << s;
  EXPECT_EQ(s["oob"][0]["byte"], 0x21);
  // The urgent mark sits where the client sent the byte (the in-band bytes before it).
  EXPECT_EQ(s["marks"], json::array({c["urgent_offset"]})) << s;
  EXPECT_EQ(s["received_sha256"], c["inband_sha256"]) << s;
}

TEST(LinuxPeer, HalfCloseServerRepliesAfterTheClientsFin) {
  auto p = run_pair("half", "127.0.0.1", {"--workload", "half-close", "--echo-bytes", "50000", "--chunk", "700"});
  expect_echo_verified(p, 50000, 700);
  ASSERT_TRUE(p.client->event("shutdown").is_object()) << p.client->transcript();
  EXPECT_TRUE(p.server->event("peer_fin").is_object()) << p.server->transcript();
  // Order on the client: its shutdown, then the echo (which could only start after the server saw EOF).
  EXPECT_LT(p.client->event("shutdown")["t_ms"].get<double>(), p.client->event("app_data")["t_ms"].get<double>());
  EXPECT_EQ(p.server->event("closed")["reason"], "done");
}

TEST(LinuxPeer, AbortUnreadResetsTheClient) {
  auto p = run_pair("abort", "127.0.0.1", {"--workload", "abort-unread", "--echo-bytes", "5000", "--chunk", "1000"});
  EXPECT_EQ(p.client_rc, 0) << p.client->transcript();
  EXPECT_EQ(p.server_rc, 0) << p.server->transcript();
  EXPECT_GT(p.server->event("app_data")["unread_bytes"].get<int>(), 0) << p.server->transcript();
  EXPECT_EQ(p.client->event("error")["errno"], "ECONNRESET") << p.client->transcript();
  EXPECT_EQ(p.client->event("closed")["reason"], "rst") << p.client->transcript();
}

TEST(LinuxPeer, LingerAbortResetsAfterReadingEverything) {
  auto p = run_pair("linger", "::1", {"--workload", "linger-abort", "--echo-bytes", "30000", "--chunk", "1000"});
  EXPECT_EQ(p.client_rc, 0) << p.client->transcript();
  EXPECT_EQ(p.server_rc, 0) << p.server->transcript();
  EXPECT_EQ(p.server->event("app_data")["received_sha256"], expected_stream_sha(30000, 1000));
  EXPECT_EQ(p.client->event("error")["errno"], "ECONNRESET") << p.client->transcript();
  EXPECT_EQ(p.client->event("closed")["reason"], "rst");
}

TEST(LinuxPeer, ReconnectAfterTheServerRestarts) {
  auto p = run_pair("reconnect", "127.0.0.1", {"--workload", "reconnect", "--echo-bytes", "10000", "--chunk", "1000"});
  EXPECT_EQ(p.client_rc, 0) << p.client->transcript();
  EXPECT_EQ(p.server_rc, 0) << p.server->transcript();
  auto reports = all(*p.client, "app_data");
  ASSERT_EQ(reports.size(), 2u) << p.client->transcript();
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(reports[i]["connection"], i + 1);
    EXPECT_EQ(reports[i]["echoed_sha256"], expected_stream_sha(10000, 1000)) << reports[i];
  }
  EXPECT_EQ(all(*p.server, "ready").size(), 2u) << p.server->transcript();
  EXPECT_EQ(all(*p.server, "connected").size(), 2u);
  // The server was down for 200 ms: the client's first tries were refused, each reported.
  auto attempts = all(*p.client, "connect_attempt");
  ASSERT_GE(attempts.size(), 3u) << p.client->transcript();
  EXPECT_EQ(attempts[1]["result"], "ECONNREFUSED") << p.client->transcript();
  EXPECT_EQ(attempts.back()["result"], "connected");
}

TEST(LinuxPeer, RefusedConnectIsAHandshakeFailureNamedByErrno) {
  // A port nobody listens on: a listener bound and closed at once.
  TestPeer probe(argv_of({"--role", "server", "--protocol", "tcp", "--listen", "127.0.0.1:0",
                          "--handshake-timeout-ms", "1"}),
                 scratch("refused.probe.err"));
  const int port = probe.next_event()["port"];
  probe.finish();
  TestPeer c(argv_of({"--role", "client", "--protocol", "tcp", "--connect", "127.0.0.1:" + std::to_string(port)}),
             scratch("refused.client.err"));
  EXPECT_EQ(c.finish(), 1) << c.transcript();
  EXPECT_EQ(c.event("error")["errno"], "ECONNREFUSED") << c.transcript();
  EXPECT_EQ(c.event("closed")["reason"], "error");
}

TEST(LinuxPeer, SigtermWhileWaitingIsStopped) {
  TestPeer s(argv_of({"--role", "server", "--protocol", "tcp", "--listen", "127.0.0.1:0"}), scratch("term.err"));
  ASSERT_EQ(s.next_event()["event"], "ready");
  ::kill(s.pid(), SIGTERM);
  EXPECT_EQ(s.finish(), 0) << s.transcript();
  EXPECT_EQ(s.event("closed")["reason"], "stopped") << s.transcript();
}

TEST(LinuxPeer, BadOptionsExitThreeAndUnsupportedOnes127) {
  TestPeer bad(argv_of({"--role", "client", "--protocol", "tcp", "--connect", "localhost:80"}), scratch("bad.err"));
  EXPECT_EQ(bad.finish(), 3) << bad.transcript();
  EXPECT_NE(bad.event("error")["message"].get<std::string>().find("localhost"), std::string::npos);
  TestPeer chunk(argv_of({"--role", "server", "--protocol", "tcp", "--chunk", "0"}), scratch("chunk.err"));
  EXPECT_EQ(chunk.finish(), 3) << chunk.transcript();
  TestPeer unsup(argv_of({"--role", "server", "--protocol", "tcp", "--timer-initial-ms", "100"}),
                 scratch("unsup.err"));
  EXPECT_EQ(unsup.finish(), 127) << unsup.transcript();
  EXPECT_EQ(unsup.event("error")["message"], "unsupported: --timer-initial-ms");
}

TEST(LinuxPeer, VersionIsTheKernelRelease) {
  TestPeer v(argv_of({"--version"}), scratch("version.err"));
  EXPECT_EQ(v.finish(), 0);
  json e = v.event("version");
  EXPECT_EQ(e["implementation"], "Linux");
  utsname u{};
  ::uname(&u);
  EXPECT_EQ(e["version"], u.release);
}

}  // namespace
}  // namespace wireproof::peers
