// wireproof-linux where loopback cannot stand in: inside namespaces joined by
// TUN devices and a copy loop (harness/wire/l3).
// - Keepalive against a peer that vanishes: on loopback the kernel answers for
//   a stopped process, so the copy loop is removed once both are connected;
//   every probe is then lost and the kernel must give up after IDLE + COUNT x
//   INTVL with ETIMEDOUT.
// - The registry's sysctl profiles, applied in the namespaces.
// - A SYN nobody answers, ended by --handshake-timeout-ms.
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/process.hpp>

#include "harness/wire/l3/l3_test_support.hpp"
#include "harness/wire/l3/tool_command.hpp"
#include "harness/wire/l3/tun_device.hpp"
#include "harness/registry/registry.hpp"
#include "peers/common/test_peer.hpp"

namespace wireproof::peers {
namespace {

using nlohmann::json;
using testing::TestPeer;
using namespace wireproof::wire::l3;

std::filesystem::path scratch(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / ("wp-linux-keepalive-" + std::to_string(::getpid()));
  std::filesystem::create_directories(d);
  return d / name;
}

std::vector<std::string> in_ns(const NetNamespace& ns, std::vector<std::string> args) {
  std::vector<std::string> argv = {boost::process::search_path("ip").string(), "netns", "exec", ns.name(), WP_PEER_LINUX};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// Reads events until `name` (or the end of output); true when it came.
bool wait_for(TestPeer& p, const std::string& name) {
  for (json e = p.next_event(); !e.is_null(); e = p.next_event())
    if (e.value("event", "") == name) return true;
  return false;
}

TEST(LinuxPeerKeepalive, VanishedPeerIsDetectedAfterIdlePlusCountIntervals) {
  WP_SKIP_WITHOUT_L3();
  std::string names[2];
  {
    NetNamespace client_ns, server_ns;
    names[0] = client_ns.name();
    names[1] = server_ns.name();
    TunDevice client_tun(client_ns, {"198.18.0.1", "198.18.0.2", 1500});
    TunDevice server_tun(server_ns, {"198.18.0.2", "198.18.0.1", 1500});
    auto pump = std::make_unique<test::PacketPump>(client_tun.fd(), server_tun.fd());

    const std::vector<std::string> ka = {"--protocol", "tcp", "--workload", "keepalive", "--keepalive", "1,1,2",
                                       "--handshake-timeout-ms", "5000"};
    auto server_args = ka;
    server_args.insert(server_args.end(), {"--role", "server", "--listen", "198.18.0.2:5000"});
    TestPeer server(in_ns(server_ns, server_args), scratch("server.err"));
    ASSERT_TRUE(wait_for(server, "ready")) << server.transcript();
    auto client_args = ka;
    client_args.insert(client_args.end(), {"--role", "client", "--connect", "198.18.0.2:5000"});
    TestPeer client(in_ns(client_ns, client_args), scratch("client.err"));
    ASSERT_TRUE(wait_for(client, "connected")) << client.transcript();
    ASSERT_TRUE(wait_for(server, "connected")) << server.transcript();
    const std::size_t carried = pump->a_to_b + pump->b_to_a;
    pump.reset();  // the peer vanishes: from now on nothing crosses

    EXPECT_EQ(client.finish(std::chrono::seconds(20)), 0) << client.transcript();
    EXPECT_EQ(server.finish(std::chrono::seconds(20)), 0) << server.transcript();
    // The handshake went through the pump: SYN and SYN-ACK at least (the pump
    // counts a packet after write() returns, so the ACK may not be counted yet).
    EXPECT_GE(carried, 2u);
    for (TestPeer* p : {&client, &server}) {
      json err = p->event("error");
      EXPECT_EQ(err["errno"], "ETIMEDOUT") << p->transcript();
      // 1 s idle, then 2 unanswered probes 1 s apart: the kernel gives up at about 3 s.
      EXPECT_GE(err["after_ms"].get<double>(), 2500.0) << err;
      EXPECT_LE(err["after_ms"].get<double>(), 10000.0) << err;
      EXPECT_EQ(p->event("closed")["reason"], "error");
      EXPECT_EQ(p->event("tcp_info")["when"], "after_keepalive") << p->transcript();
    }
  }
  auto left = NetNamespace::list_ours();
  for (const auto& n : names) EXPECT_EQ(std::count(left.begin(), left.end(), n), 0) << n << " left behind";
}

// The registry's sysctl profiles are real settings: applied in the peer's
// namespace (as the topology will), linux-rfc's tcp_rto_min_us raises the RTO
// the kernel reports to at least 1 s, while `linux` keeps the 200 ms floor.
double connected_rto_us(const registry::PeerEntry& profile) {
  NetNamespace client_ns, server_ns;
  for (const auto& [name, value] : profile.kernel.sysctl_pairs())
    for (const NetNamespace* ns : {&client_ns, &server_ns})
      run_tool("ip", {"netns", "exec", ns->name(), "sysctl", "-q", "-w", name + "=" + value});
  TunDevice client_tun(client_ns, {"198.18.0.1", "198.18.0.2", 1500});
  TunDevice server_tun(server_ns, {"198.18.0.2", "198.18.0.1", 1500});
  test::PacketPump pump(client_tun.fd(), server_tun.fd());
  TestPeer server(in_ns(server_ns, {"--role", "server", "--protocol", "tcp", "--listen", "198.18.0.2:5000",
                                    "--echo-bytes", "5000"}),
                  scratch(profile.name + ".server.err"));
  EXPECT_TRUE(wait_for(server, "ready")) << server.transcript();
  TestPeer client(in_ns(client_ns, {"--role", "client", "--protocol", "tcp", "--connect", "198.18.0.2:5000",
                                    "--echo-bytes", "5000"}),
                  scratch(profile.name + ".client.err"));
  EXPECT_EQ(client.finish(), 0) << client.transcript();
  EXPECT_EQ(server.finish(), 0) << server.transcript();
  return client.event("connected")["tcp_info"].value("rto_us", 0.0);
}

TEST(LinuxPeerProfiles, LinuxRfcRaisesTheMinimumRtoAndLinuxKeepsTheDefault) {
  WP_SKIP_WITHOUT_L3();
  if (::access("/proc/sys/net/ipv4/tcp_rto_min_us", F_OK) != 0)
    GTEST_SKIP() << "this kernel has no net.ipv4.tcp_rto_min_us (Linux < 6.11): linux-rfc skips it";
  auto reg = registry::Registry::load(registry::default_registry_file());
  const double plain = connected_rto_us(reg.find("linux"));
  const double rfc = connected_rto_us(reg.find("linux-rfc"));
  EXPECT_GE(plain, 200000.0);
  EXPECT_LT(plain, 1000000.0);  // loopback-fast RTT: the 200 ms floor rules
  EXPECT_GE(rfc, 1000000.0);
}

// A SYN into a TUN nobody reads is never answered: --handshake-timeout-ms
// ends connect() (the kernel alone would retry for minutes).
TEST(LinuxPeerKeepalive, UnansweredSynEndsAtTheHandshakeTimeout) {
  WP_SKIP_WITHOUT_L3();
  NetNamespace ns;
  TunDevice tun(ns, {"198.18.0.1", "198.18.0.2", 1500});
  TestPeer client(in_ns(ns, {"--role", "client", "--protocol", "tcp", "--connect", "198.18.0.2:5000",
                             "--handshake-timeout-ms", "1500"}),
                  scratch("syn.err"));
  EXPECT_EQ(client.finish(std::chrono::seconds(20)), 1) << client.transcript();
  json err = client.event("error");
  EXPECT_FALSE(err.contains("errno")) << err;  // the harness's limit, not a kernel error
  EXPECT_NE(err.value("message", "").find("--handshake-timeout-ms 1500"), std::string::npos) << err;
  EXPECT_GE(err["t_ms"].get<double>(), 1500.0) << err;
  EXPECT_EQ(client.event("closed")["reason"], "idle");
}

}  // namespace
}  // namespace wireproof::peers
