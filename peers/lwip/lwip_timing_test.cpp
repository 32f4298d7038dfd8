// lwIP's timers as the wire sees them: a lost SYN is resent after lwIP's
// initial RTO (3 s, counted in 500 ms slow-timer ticks), and keepalive gives
// up on a vanished peer after idle + count x interval. Slow by nature (3 s each).
// Also the options lwIP's SYN carries, as Debian builds it.
#include <signal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

#include "peers/lwip/lwip_test_support.hpp"

namespace wireproof::peers::lwip {
namespace {

using namespace std::chrono_literals;

double ms(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

TEST(LwipTiming, ALostSynIsResentAfterTheInitialRtoOfThreeSeconds) {
  test::PacketPort client_port, server_port;
  std::atomic<int> client_syns{0};
  // Drops the client's first SYN; everything else passes.
  test::ScriptedPump pump(client_port.wire.get(), server_port.wire.get(), [&](bool from_client, auto packet) {
    if (!from_client || test::ipv4_tcp_flags(packet) != test::kSyn) return true;
    return client_syns.fetch_add(1) > 0;
  });
  auto server = test::start_lwip("server", server_port, {"--echo-bytes", "1000", "--idle-timeout-ms", "10000"});
  auto client = test::start_lwip("client", client_port, {"--echo-bytes", "1000", "--idle-timeout-ms", "10000"});
  EXPECT_EQ(client->finish(), 0) << client->transcript();
  EXPECT_EQ(server->finish(), 0) << server->transcript();

  std::vector<std::chrono::steady_clock::time_point> syns;
  for (const auto& s : pump.seen())
    if (s.from_a && test::ipv4_tcp_flags(s.packet) == test::kSyn) syns.push_back(s.at);
  ASSERT_EQ(syns.size(), 2u) << "one SYN lost, one resent";
  const double gap = ms(syns[1] - syns[0]);
  // 6 ticks of the 500 ms slow timer; the first tick comes 0..500 ms after the SYN.
  EXPECT_GE(gap, 2500.0 - 10);
  EXPECT_LE(gap, 3000.0 + 300) << "scheduling delay beyond 300 ms (a loaded machine?)";
  std::cout << "lwIP SYN retransmission after " << gap << " ms\n";
}

// TCP option kinds in the SYN's header (IPv4 only), with the MSS value.
std::vector<int> syn_option_kinds(std::span<const std::uint8_t> p, int& mss) {
  const std::size_t ihl = (p[0] & 0x0f) * 4u;
  const std::size_t end = ihl + (p[ihl + 12] >> 4) * 4u;
  std::vector<int> kinds;
  for (std::size_t i = ihl + 20; i < end && i < p.size();) {
    const int kind = p[i];
    if (kind == 0) break;
    if (kind == 1) {
      ++i;
      continue;
    }
    if (i + 1 >= end) break;
    if (kind == 2 && i + 3 < end) mss = p[i + 2] << 8 | p[i + 3];
    kinds.push_back(kind);
    i += std::max<std::size_t>(2, p[i + 1]);
  }
  return kinds;
}

TEST(LwipWire, SynsOfferMssAndWindowScaleOnly) {
  test::PacketPort client_port, server_port;
  test::ScriptedPump pump(client_port.wire.get(), server_port.wire.get(), [](bool, auto) { return true; });
  auto server = test::start_lwip("server", server_port, {"--echo-bytes", "1000", "--mtu", "1400"});
  auto client = test::start_lwip("client", client_port, {"--echo-bytes", "1000"});
  EXPECT_EQ(client->finish(), 0) << client->transcript();
  EXPECT_EQ(server->finish(), 0) << server->transcript();
  int syns = 0;
  for (const auto& s : pump.seen()) {
    if (!(test::ipv4_tcp_flags(s.packet) & test::kSyn)) continue;
    ++syns;
    int mss = 0;
    // MSS (2) and window scale (3); no SACK-permitted (4), no timestamps (8).
    EXPECT_EQ(syn_option_kinds(s.packet, mss), (std::vector<int>{2, 3})) << (s.from_a ? "SYN" : "SYN-ACK");
    EXPECT_EQ(mss, s.from_a ? 1460 : 1360) << "MSS = min(TCP_MSS, netif MTU - 40)";
  }
  EXPECT_EQ(syns, 2);
}

TEST(LwipTiming, KeepaliveGivesUpOnAVanishedPeerWithEtimedout) {
  test::PacketPort client_port, server_port;
  std::atomic<bool> link_up{true};
  test::ScriptedPump pump(client_port.wire.get(), server_port.wire.get(), [&](bool, auto) { return link_up.load(); });
  const std::vector<std::string> keepalive{"--workload", "keepalive", "--keepalive", "1,1,2"};
  auto server = test::start_lwip("server", server_port, keepalive);
  auto client = test::start_lwip("client", client_port, keepalive);
  ASSERT_EQ(client->next_event().value("event", ""), "ready");
  const auto connected = client->next_event();
  ASSERT_EQ(connected.value("event", ""), "connected") << client->transcript();
  link_up = false;  // the peer vanishes: nothing gets through any more
  EXPECT_EQ(client->finish(), 0) << client->transcript();
  const auto error = client->event("error");
  EXPECT_EQ(error.value("errno", ""), "ETIMEDOUT") << client->transcript();
  EXPECT_EQ(error.value("lwip_err", ""), "ERR_ABRT");
  // idle 1 s + 2 probes x 1 s, in 500 ms ticks.
  const double after = error.value("t_ms", 0.0) - connected.value("t_ms", 0.0);
  EXPECT_GE(after, 3000.0 - 10) << client->transcript();
  EXPECT_LE(after, 3000.0 + 800) << client->transcript();
  // The probes really went out while the link was down.
  int probes = 0;
  for (const auto& s : pump.seen())
    if (s.from_a && !s.forwarded && test::ipv4_tcp_flags(s.packet) == test::kAck) ++probes;
  EXPECT_GE(probes, 2);
  server->finish();
}

TEST(LwipTiming, SigtermBeforeAnyConnectionEndsStoppedWithExit1) {
  test::PacketPort client_port, server_port;
  std::atomic<bool> link_up{true};
  test::ScriptedPump pump(client_port.wire.get(), server_port.wire.get(), [&](bool, auto) { return link_up.load(); });
  auto server = test::start_lwip("server", server_port, {"--echo-bytes", "100000"});
  link_up = false;  // the SYN is lost: lwIP waits its 3 s RTO, the echo cannot finish before the SIGTERM
  auto client = test::start_lwip("client", client_port, {"--echo-bytes", "100000"});
  ASSERT_EQ(client->next_event().value("event", ""), "ready");
  ::kill(server->pid(), SIGTERM);
  EXPECT_EQ(server->finish(std::chrono::seconds(2)), 1) << server->transcript();
  EXPECT_EQ(server->event("closed").value("reason", ""), "stopped");
  ::kill(client->pid(), SIGTERM);
  EXPECT_EQ(client->finish(std::chrono::seconds(2)), 1) << client->transcript();
  EXPECT_EQ(client->event("closed").value("reason", ""), "stopped");
}

TEST(LwipTiming, SigtermMidWorkloadReportsAnIncompleteEcho) {
  test::PacketPort client_port, server_port;
  std::atomic<bool> link_up{true};
  test::ScriptedPump pump(client_port.wire.get(), server_port.wire.get(), [&](bool, auto) { return link_up.load(); });
  const std::vector<std::string> plan{"--echo-bytes", "1000000"};
  auto server = test::start_lwip("server", server_port, plan);
  auto client = test::start_lwip("client", client_port, plan);
  ASSERT_EQ(client->next_event().value("event", ""), "ready");
  ASSERT_EQ(client->next_event().value("event", ""), "connected") << client->transcript();
  ASSERT_EQ(server->next_event().value("event", ""), "connected") << server->transcript();
  link_up = false;  // mid-transfer (1 MB cannot have gone through yet): the rest is lost
  std::this_thread::sleep_for(200ms);
  ::kill(client->pid(), SIGTERM);
  EXPECT_EQ(client->finish(std::chrono::seconds(2)), 2) << client->transcript();
  const auto app = client->event("app_data");
  EXPECT_TRUE(app.value("incomplete", false)) << client->transcript();
  EXPECT_NE(app.value("incomplete_reason", "").find("stopped by SIGTERM"), std::string::npos) << app;
  EXPECT_EQ(client->event("closed").value("reason", ""), "stopped");
  ::kill(server->pid(), SIGTERM);
  EXPECT_EQ(server->finish(std::chrono::seconds(2)), 2) << server->transcript();
  EXPECT_EQ(server->event("closed").value("reason", ""), "stopped");
}

}  // namespace
}  // namespace wireproof::peers::lwip
