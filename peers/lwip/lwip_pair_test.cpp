// Two wireproof-lwip processes, client and server, over two packet ports with
// a copy loop between them (no namespace, no kernel TCP): every workload end
// to end, the digests compared with the plan's, and the contract's errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/wire/l3/l3_test_support.hpp"
#include "peers/common/echo_chunks.hpp"
#include "peers/common/tcp_options.hpp"
#include "peers/common/test_peer.hpp"
#include "peers/lwip/lwip_test_support.hpp"

namespace wireproof::peers::lwip {
namespace {

using peers::testing::TestPeer;
using test::lwip_argv;
using test::PacketPort;

struct PairRun {
  int client_rc = -1, server_rc = -1;
  std::vector<nlohmann::json> client_events, server_events;
  std::string transcript;
  std::size_t largest = 0, packets = 0, outside_range = 0;

  nlohmann::json client(const std::string& name) const { return last(client_events, name); }
  nlohmann::json server(const std::string& name) const { return last(server_events, name); }
  static nlohmann::json last(const std::vector<nlohmann::json>& events, const std::string& name) {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->value("event", "") == name) return *it;
    return nlohmann::json();
  }
};

// IPv4 198.18.0.1 -> 198.18.0.2, or IPv6 2001:db8::1 -> 2001:db8::2.
PairRun run_pair(const std::vector<std::string>& client_extra, const std::vector<std::string>& server_extra,
                 bool ipv6 = false, int connect_port = 5000) {
  PairRun run;
  PacketPort server_port;
  auto server = test::start_lwip("server", server_port, server_extra, ipv6);
  PacketPort client_port;  // made after the server started, so only the client inherits its end
  wire::l3::test::PacketPump pump(client_port.wire.get(), server_port.wire.get());
  auto client = test::start_lwip("client", client_port, client_extra, ipv6, connect_port);
  run.client_rc = client->finish();
  run.server_rc = server->finish();
  run.client_events = client->events();
  run.server_events = server->events();
  run.transcript = "client:\n" + client->transcript() + "\nserver:\n" + server->transcript();
  run.largest = pump.largest;
  run.packets = pump.a_to_b + pump.b_to_a;
  run.outside_range = pump.outside_range;
  return run;
}

std::vector<std::string> plan_args(std::uint64_t bytes, std::uint32_t chunk, const std::string& workload) {
  return {"--echo-bytes", std::to_string(bytes), "--chunk", std::to_string(chunk), "--workload", workload};
}

// Both sides run `workload` over `plan`, and both must exit 0.
PairRun run_both_ok(const ChunkPlan& plan, const std::string& workload) {
  auto run = run_pair(plan_args(plan.echo_bytes, plan.chunk, workload), plan_args(plan.echo_bytes, plan.chunk, workload));
  EXPECT_EQ(run.client_rc, 0) << run.transcript;
  EXPECT_EQ(run.server_rc, 0) << run.transcript;
  return run;
}

TEST(LwipPair, Echo64KiBDigestsMatchThePlanAndEveryPacketIsIpv4InTheRange) {
  const ChunkPlan plan{64 * 1024, 1000};
  auto run = run_pair(plan_args(plan.echo_bytes, plan.chunk, "echo"), plan_args(plan.echo_bytes, plan.chunk, "echo"));
  ASSERT_EQ(run.client_rc, 0) << run.transcript;
  ASSERT_EQ(run.server_rc, 0) << run.transcript;
  const auto expected = expected_digest(plan);
  EXPECT_EQ(run.client("app_data").value("sent_sha256", ""), expected);
  EXPECT_EQ(run.client("app_data").value("echoed_sha256", ""), expected);
  EXPECT_EQ(run.client("app_data").value("echoed_chunks", 0u), plan.count());
  EXPECT_EQ(run.server("app_data").value("received_sha256", ""), expected);
  EXPECT_EQ(run.server("app_data").value("unique_chunks", 0u), plan.count());
  EXPECT_EQ(run.client("app_data").value("stream_bytes", 0u), plan.stream_bytes());
  EXPECT_EQ(run.client("app_data").value("sent_bytes", 0u), plan.stream_bytes());
  EXPECT_EQ(run.client("app_data").value("echoed_bytes", 0u), plan.stream_bytes());
  EXPECT_EQ(run.server("app_data").value("received_bytes", 0u), plan.stream_bytes());
  EXPECT_EQ(run.client("tcp_state").value("when", ""), "after_workload");
  EXPECT_EQ(run.client("closed").value("reason", ""), "done");
  EXPECT_EQ(run.server("closed").value("reason", ""), "fin");
  // lwIP's view, as the contract's connected event carries it.
  const auto state = run.client("connected").at("tcp_state");
  EXPECT_EQ(state.value("state", ""), "established");
  EXPECT_EQ(state.value("mss", 0), 1460);
  EXPECT_EQ(state.value("slow_timer_ms", 0), 500);
  EXPECT_EQ(run.client("connected").value("local", "").rfind("198.18.0.1:", 0), 0u);
  EXPECT_EQ(run.client("connected").value("remote", ""), "198.18.0.2:5000");
  // 64 KiB each way in full-sized segments at least.
  EXPECT_GT(run.packets, 2u * 64 * 1024 / 1500);
  EXPECT_EQ(run.outside_range, 0u);
  EXPECT_EQ(run.largest, 1500u);
}

// The contract's tcp_info (peers/CONTRACT.md "TCP"), which rto_matches_stack
// reads: rto_us in microseconds = lwIP's ticks x 500 ms, in `connected`, after
// each tcp_state, and again whenever lwIP's RTO changed. A 600 ms stall, as
// lwIP takes no RTT sample while its tick count is still 0 (the first 500 ms
// of the stack: `pcb->rttest = tcp_ticks`, and 0 means not timing); after
// that its sub-tick samples move the RTO off the initial 3 s (measured: 2.5,
// 2.0 then 1.5 s).
TEST(LwipPair, TcpInfoReportsTheRtoInMicrosecondsAndEachChange) {
  const ChunkPlan plan{200000, 1400};
  auto server = plan_args(plan.echo_bytes, plan.chunk, "stall");
  server.insert(server.end(), {"--stall-ms", "600"});
  auto run = run_pair(plan_args(plan.echo_bytes, plan.chunk, "stall"), server);
  ASSERT_EQ(run.client_rc, 0) << run.transcript;
  ASSERT_EQ(run.server_rc, 0) << run.transcript;
  const auto info = run.client("connected").at("tcp_info");
  EXPECT_EQ(info.value("rto_us", 0), 3000000);  // tcp_alloc: 3000 / TCP_SLOW_INTERVAL ticks
  EXPECT_EQ(info.value("rto_ticks", 0), 6);
  EXPECT_EQ(info.value("timer_tick_us", 0), 500000);
  EXPECT_EQ(info.value("snd_mss", 0), 1460);
  EXPECT_EQ(info.value("state", ""), "established");
  for (const auto* events : {&run.client_events, &run.server_events}) {
    std::vector<nlohmann::json> infos;
    for (const auto& e : *events)
      if (e.value("event", "") == "tcp_info") infos.push_back(e);
    ASSERT_GE(infos.size(), 2u) << run.transcript;  // connected, after_workload at least
    EXPECT_EQ(infos.front().value("when", ""), "connected");
    for (std::size_t k = 0; k < infos.size(); ++k) {
      EXPECT_EQ(infos[k].value("rto_us", -1), infos[k].value("rto_ticks", 0) * 500000) << infos[k].dump();
      if (k > 0 && infos[k].value("when", "") == "rto_changed") {
        EXPECT_NE(infos[k].value("rto_ticks", 0), infos[k - 1].value("rto_ticks", 0)) << infos[k].dump();
      }
    }
  }
  int changes = 0;
  for (const auto& e : run.client_events) changes += e.value("when", "") == "rto_changed" && e.value("event", "") == "tcp_info";
  EXPECT_GE(changes, 1) << run.transcript;
  // Each tcp_state is followed by the tcp_info of the same moment.
  for (std::size_t k = 0; k + 1 < run.client_events.size(); ++k) {
    const auto& state = run.client_events[k];
    if (state.value("event", "") != "tcp_state") continue;
    const auto& next = run.client_events[k + 1];
    EXPECT_EQ(next.value("event", ""), "tcp_info") << state.dump();
    EXPECT_EQ(next.value("when", "-"), state.value("when", "")) << next.dump();
    EXPECT_EQ(next.value("rto_ticks", -1), state.value("rto_ticks", -2)) << next.dump();
  }
}

// reconnect: the server restarts after the first echo; the client's SYNs in
// its 200 ms down time meet lwIP's RST (ECONNREFUSED) until it listens again.
TEST(LwipPair, ReconnectEchoesTwiceAcrossAServerRestart) {
  const ChunkPlan plan{8000, 1000};
  auto run = run_both_ok(plan, "reconnect");
  if (::testing::Test::HasFailure()) return;
  const auto expected = expected_digest(plan);
  std::vector<nlohmann::json> client_data, server_data, attempts;
  for (const auto& e : run.client_events) {
    if (e.value("event", "") == "app_data") client_data.push_back(e);
    if (e.value("event", "") == "connect_attempt" && e.value("connection", 0) == 2) attempts.push_back(e);
  }
  for (const auto& e : run.server_events)
    if (e.value("event", "") == "app_data") server_data.push_back(e);
  ASSERT_EQ(client_data.size(), 2u) << run.transcript;
  ASSERT_EQ(server_data.size(), 2u) << run.transcript;
  for (int k = 0; k < 2; ++k) {
    EXPECT_EQ(client_data[k].value("connection", 0), k + 1);
    EXPECT_EQ(server_data[k].value("connection", 0), k + 1);
    EXPECT_EQ(client_data[k].value("echoed_sha256", ""), expected);
    EXPECT_EQ(server_data[k].value("received_sha256", ""), expected);
    EXPECT_EQ(client_data[k].value("workload", ""), "reconnect");
  }
  ASSERT_GE(attempts.size(), 2u) << run.transcript;  // the restart is down 200 ms, tries are 100 ms apart
  EXPECT_EQ(attempts.front().value("result", ""), "ECONNREFUSED");
  EXPECT_EQ(attempts.back().value("result", ""), "connected");
  EXPECT_EQ(run.server("restart").value("down_ms", 0), kRestartDownMs);
  EXPECT_EQ(run.client("closed").value("reason", ""), "done");
  EXPECT_EQ(run.server("closed").value("reason", ""), "fin");
}

TEST(LwipPair, TheNetifMtuBoundsSegmentsAndTheMss) {
  const std::vector<std::string> mtu{"--mtu", "1280"};
  auto client = plan_args(20000, 1000, "echo");
  auto server = plan_args(20000, 1000, "echo");
  client.insert(client.end(), mtu.begin(), mtu.end());
  server.insert(server.end(), mtu.begin(), mtu.end());
  auto run = run_pair(client, server);
  ASSERT_EQ(run.client_rc, 0) << run.transcript;
  EXPECT_EQ(run.client("connected").at("tcp_state").value("mss", 0), 1240);
  EXPECT_EQ(run.largest, 1280u);
}

TEST(LwipPair, Ipv6EchoWorks) {
  const ChunkPlan plan{10000, 1000};
  auto run = run_pair(plan_args(plan.echo_bytes, plan.chunk, "echo"), plan_args(plan.echo_bytes, plan.chunk, "echo"),
                      /*ipv6=*/true);
  ASSERT_EQ(run.client_rc, 0) << run.transcript;
  ASSERT_EQ(run.server_rc, 0) << run.transcript;
  EXPECT_EQ(run.client("app_data").value("echoed_sha256", ""), expected_digest(plan));
  EXPECT_EQ(run.client("connected").value("remote", ""), "[2001:db8::2]:5000");
  EXPECT_EQ(run.client("connected").at("tcp_state").value("mss", 0), 1440);
}

TEST(LwipPair, BulkAndStallDeliverEveryByteOneWay) {
  const ChunkPlan plan{200000, 1400};
  for (const std::string workload : {"bulk", "stall"}) {
    auto server = plan_args(plan.echo_bytes, plan.chunk, workload);
    server.insert(server.end(), {"--stall-ms", "600"});
    auto run = run_pair(plan_args(plan.echo_bytes, plan.chunk, workload), server);
    ASSERT_EQ(run.client_rc, 0) << workload << "\n" << run.transcript;
    ASSERT_EQ(run.server_rc, 0) << workload << "\n" << run.transcript;
    EXPECT_EQ(run.server("app_data").value("received_sha256", ""), expected_digest(plan)) << workload;
    EXPECT_EQ(run.client("app_data").value("acked_bytes", 0u), plan.count() * 8 + plan.echo_bytes) << workload;
    if (workload == "stall") {
      // The window really closed: at the stall's end lwIP holds the unread
      // bytes and has room for less than one segment (the sender's SWS
      // avoidance keeps the last sliver unfilled), and the stall lasted.
      nlohmann::json start, stop;
      for (const auto& e : run.server_events) {
        if (e.value("event", "") != "tcp_state") continue;  // lwIP's view; its tcp_info of the moment follows
        if (e.value("when", "") == "before_stall") start = e;
        if (e.value("when", "") == "after_stall") stop = e;
      }
      ASSERT_FALSE(start.is_null() || stop.is_null()) << run.transcript;
      EXPECT_LT(stop.value("rcv_wnd", 1 << 20), stop.value("mss", 0)) << run.transcript;
      EXPECT_GE(stop.value("t_ms", 0.0) - start.value("t_ms", 0.0), 590.0) << run.transcript;
    }
  }
}

// The urgent workload's server (its client, which lwIP cannot be, sends
// MSG_OOB; a bulk client sends the same records without it): it digests every
// byte lwIP delivers, and reports that its application learns nothing of
// urgent data.
TEST(LwipPair, UrgentServerDigestsWhatLwipDeliversInBand) {
  const ChunkPlan plan{20000, 1000};
  auto run = run_pair(plan_args(plan.echo_bytes, plan.chunk, "bulk"), plan_args(plan.echo_bytes, plan.chunk, "urgent"));
  ASSERT_EQ(run.server_rc, 0) << run.transcript;
  const auto report = run.server("app_data");
  EXPECT_EQ(report.value("received_sha256", ""), expected_digest(plan)) << report;
  EXPECT_EQ(report.value("received_bytes", 0u), plan.stream_bytes()) << report;
  EXPECT_EQ(report["oob"], nlohmann::json::array());
  EXPECT_EQ(report["marks"], nlohmann::json::array());
  EXPECT_NE(report.value("urgent_api", "").find("no urgent notification"), std::string::npos) << report;
}

TEST(LwipPair, HalfCloseRepliesAfterTheClientsFin) {
  const ChunkPlan plan{30000, 1000};
  auto run = run_both_ok(plan, "half-close");
  if (::testing::Test::HasFailure()) return;
  EXPECT_EQ(run.client("app_data").value("echoed_sha256", ""), expected_digest(plan));
  EXPECT_EQ(run.client("closed").value("reason", ""), "done");
  EXPECT_EQ(run.server("closed").value("reason", ""), "done");
  EXPECT_EQ(run.server("app_data").value("replied_bytes", 0u), plan.stream_bytes());
}

TEST(LwipPair, AbortUnreadResetsTheClient) {
  auto run = run_pair(plan_args(20000, 1000, "abort-unread"), plan_args(20000, 1000, "abort-unread"));
  EXPECT_EQ(run.server_rc, 0) << run.transcript;
  EXPECT_EQ(run.client_rc, 0) << run.transcript;
  EXPECT_EQ(run.client("error").value("errno", ""), "ECONNRESET") << run.transcript;
  EXPECT_EQ(run.client("closed").value("reason", ""), "rst");
  EXPECT_GT(run.server("app_data").value("unread_bytes", 0u), 0u);
}

TEST(LwipPair, LingerAbortResetsTheClientAfterTheServerReadEverything) {
  auto run = run_pair(plan_args(20000, 1000, "linger-abort"), plan_args(20000, 1000, "linger-abort"));
  EXPECT_EQ(run.client_rc, 0) << run.transcript;
  EXPECT_EQ(run.server_rc, 0) << run.transcript;
  EXPECT_EQ(run.client("error").value("errno", ""), "ECONNRESET") << run.transcript;
  EXPECT_EQ(run.client("closed").value("reason", ""), "rst");
  EXPECT_EQ(run.server("closed").value("reason", ""), "done");
  EXPECT_EQ(run.server("app_data").value("received_sha256", ""), expected_digest({20000, 1000}));
  EXPECT_EQ(run.server("tcp_state").value("when", ""), "before_abort");
}

TEST(LwipPair, NoServerMeansConnectionRefused) {
  // A server on another port: lwIP answers the SYN to 5001 with a RST.
  auto run = run_pair({}, {"--handshake-timeout-ms", "1000"}, /*ipv6=*/false, /*connect_port=*/5001);
  EXPECT_EQ(run.client_rc, 1) << run.transcript;
  EXPECT_EQ(run.client("error").value("errno", ""), "ECONNREFUSED") << run.transcript;
  EXPECT_EQ(run.client("closed").value("reason", ""), "error");
  EXPECT_EQ(run.server_rc, 1) << "no connection within --handshake-timeout-ms";
  EXPECT_EQ(run.server("closed").value("reason", ""), "idle");
}

// The process's own answers to bad command lines.
int exit_code_of(const std::vector<std::string>& argv, nlohmann::json* first_event = nullptr) {
  TestPeer p(argv, test::test_dir() / "peer.err");
  auto e = p.next_event();
  if (first_event) *first_event = e;
  return p.finish();
}

TEST(LwipPeer, BadValuesExit3AndUnsupportedExit127) {
  PacketPort port;
  const int fd = port.peer.get();
  nlohmann::json e;
  EXPECT_EQ(exit_code_of(lwip_argv("client", "198.18.0.1", "198.18.0.2:5000", fd, {"--mtu", "10"}), &e), 3);
  EXPECT_EQ(exit_code_of(lwip_argv("client", "198.18.0.1", "198.18.0.2:0", fd)), 3);
  // The contract's TCP bounds (peers/contract_limits.hpp kTcp): MTU >= 576, chunk <= 1 MiB.
  EXPECT_EQ(exit_code_of(lwip_argv("client", "198.18.0.1", "198.18.0.2:5000", fd, {"--mtu", "575"})), 3);
  EXPECT_EQ(exit_code_of(lwip_argv("client", "198.18.0.1", "198.18.0.2:5000", fd, {"--chunk", "1048577"})), 3);
  EXPECT_EQ(exit_code_of(lwip_argv("client", "198.18.0.999", "198.18.0.2:5000", fd), &e), 3);
  EXPECT_NE(e.value("message", "").find("198.18.0.999"), std::string::npos) << e;
  EXPECT_EQ(exit_code_of(lwip_argv("client", "2001:db8::1", "198.18.0.2:5000", fd)), 3);
  EXPECT_EQ(exit_code_of(lwip_argv("client", "198.18.0.1", "198.18.0.2:5000", fd, {"--keepalive", "1,x,2"})), 3);
  // Not a packet socket: stdin (/dev/null in TestPeer).
  EXPECT_EQ(exit_code_of(lwip_argv("client", "198.18.0.1", "198.18.0.2:5000", 0), &e), 3);
  EXPECT_NE(e.value("message", "").find("--packet-fd 0"), std::string::npos) << e;
  EXPECT_EQ(exit_code_of(lwip_argv("client", "198.18.0.1", "198.18.0.2:5000", fd, {"--workload", "urgent"}), &e), 127);
  EXPECT_EQ(e.value("message", ""), "unsupported: --workload urgent");
  // A workload name outside the contract gets 127 naming it, as from the linux shim (both use the one TCP option parser).
  EXPECT_EQ(exit_code_of(lwip_argv("client", "198.18.0.1", "198.18.0.2:5000", fd, {"--workload", "teleport"}), &e), 127);
  EXPECT_EQ(e.value("message", ""), "unsupported: --workload teleport");
  // --packet-fd without --local-address, and a server without the packet port.
  EXPECT_EQ(exit_code_of({WP_PEER_LWIP, "--role", "client", "--protocol", "tcp", "--connect", "198.18.0.2:5000",
                          "--packet-fd", std::to_string(fd)}),
            3);
  EXPECT_EQ(exit_code_of({WP_PEER_LWIP, "--role", "server", "--protocol", "tcp", "--listen", "198.18.0.2:5000"}), 3);
  EXPECT_EQ(exit_code_of(lwip_argv("client", "198.18.0.1", "198.18.0.2:5000", fd, {"--frobnicate"})), 127);
  EXPECT_EQ(exit_code_of({WP_PEER_LWIP, "--role", "client", "--protocol", "dtls1.2"}), 127);
  EXPECT_EQ(exit_code_of({WP_PEER_LWIP, "--version"}, &e), 0);
  EXPECT_EQ(e.value("implementation", ""), "lwIP");
  EXPECT_EQ(e.value("version", ""), "2.1.3");
}

}  // namespace
}  // namespace wireproof::peers::lwip
