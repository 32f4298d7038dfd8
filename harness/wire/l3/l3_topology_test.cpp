// L3Topology: what it configures, read back from the kernel; sysctls; errors.
#include "harness/wire/l3/l3_topology.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <fcntl.h>

#include "harness/wire/l3/l3_test_support.hpp"

namespace wireproof::wire::l3 {
namespace {

using test::tool_output;

std::string mine() { return std::string(kNamespacePrefix) + std::to_string(::getpid()) + "-"; }

void expect_nothing_left() {
  for (const auto& n : NetNamespace::list_ours()) EXPECT_NE(n.rfind(mine(), 0), 0u) << n << " left behind";
}

TEST(L3TopologyConfig, SysctlsAreAppliedInEachSideAndReadBack) {
  WP_SKIP_WITHOUT_L3();
  {
    L3Config c;
    c.client.sysctls = {{"net.ipv4.tcp_syn_retries", "3"}, {"net.ipv4.tcp_sack", "0"}};
    c.server.sysctls = {{"net.ipv4.tcp_syn_retries", "4"}};
    L3Topology topo(c);
    EXPECT_EQ(read_sysctl(topo.ns(Dir::c2s), "net.ipv4.tcp_syn_retries"), "3");
    EXPECT_EQ(read_sysctl(topo.ns(Dir::s2c), "net.ipv4.tcp_syn_retries"), "4");
    const auto j = topo.describe();
    EXPECT_EQ(j["client"]["sysctls"]["net.ipv4.tcp_syn_retries"], "3");
    EXPECT_EQ(j["client"]["sysctls"]["net.ipv4.tcp_sack"], "0");
    EXPECT_EQ(j["server"]["sysctls"]["net.ipv4.tcp_syn_retries"], "4");
    EXPECT_EQ(j["server"]["sysctls"]["net.ipv4.tcp_sack"], "1");  // the namespace's default, untouched
    EXPECT_TRUE(j["client"]["sysctls"].contains("net.ipv4.route.min_pmtu"));
    EXPECT_GT(j["client"]["sysctls"].size(), 30u) << "every net.ipv4.tcp_* is recorded";
    EXPECT_EQ(j["client"]["device"], "tun");
    EXPECT_EQ(j["client"]["mtu"], 1500);
    EXPECT_FALSE(j["client"]["kernel"].get<std::string>().empty());
    EXPECT_EQ(j["client"]["namespace"], topo.ns(Dir::c2s).name());
    EXPECT_EQ(topo.address(Dir::s2c), "198.18.0.2");
    EXPECT_EQ(topo.peer_fd(Dir::c2s), -1);
    const auto route = tool_output("ip", {"-n", topo.ns(Dir::c2s).name(), "route", "show"});
    EXPECT_NE(route.find("198.18.0.2 dev"), std::string::npos) << route;
    EXPECT_NE(route.find("198.18.0.254 dev"), std::string::npos) << route;
    EXPECT_EQ(route.find("default"), std::string::npos) << route;
  }
  expect_nothing_left();
}

// A registry profile's route options (linux-rfc: rto_min 1s, for kernels
// without tcp_rto_min_us) land on the route to the other side, both families.
TEST(L3TopologyConfig, RouteOptionsAreSetOnTheRouteToTheOtherSide) {
  WP_SKIP_WITHOUT_L3();
  {
    L3Config c;
    c.ipv6 = true;
    c.client.route_options = {{"rto_min", "1s"}};
    L3Topology topo(c);
    const auto v4 = tool_output("ip", {"-n", topo.ns(Dir::c2s).name(), "route", "show", "198.18.0.2/32"});
    EXPECT_NE(v4.find("rto_min lock 1s"), std::string::npos) << v4;
    const auto v6 = tool_output("ip", {"-n", topo.ns(Dir::c2s).name(), "-6", "route", "show", "2001:db8::2/128"});
    EXPECT_NE(v6.find("rto_min lock 1s"), std::string::npos) << v6;
    const auto server = tool_output("ip", {"-n", topo.ns(Dir::s2c).name(), "route", "show", "198.18.0.1/32"});
    EXPECT_EQ(server.find("rto_min"), std::string::npos) << server;  // the other side untouched
    const auto j = topo.describe();
    ASSERT_TRUE(j["client"].contains("routes")) << j["client"];
    EXPECT_NE(j["client"]["routes"].dump().find("rto_min lock 1s"), std::string::npos) << j["client"]["routes"];
    EXPECT_FALSE(j["server"].contains("routes"));
  }
  expect_nothing_left();
}

TEST(L3TopologyConfig, UnknownSysctlIsAnErrorNamingIt) {
  WP_SKIP_WITHOUT_L3();
  L3Config c;
  c.server.sysctls = {{"net.ipv4.tcp_no_such_knob", "1"}};
  try {
    L3Topology topo(c);
    ADD_FAILURE() << "no error for a sysctl that does not exist";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("net.ipv4.tcp_no_such_knob"), std::string::npos) << what;
    EXPECT_NE(what.find("does not exist"), std::string::npos) << what;
    EXPECT_NE(what.find("server side"), std::string::npos) << what;
  }
  expect_nothing_left();
}

TEST(L3TopologyConfig, RefusedSysctlValueIsAnErrorNamingIt) {
  WP_SKIP_WITHOUT_L3();
  L3Config c;
  c.client.sysctls = {{"net.ipv4.tcp_syn_retries", "many"}};
  try {
    L3Topology topo(c);
    ADD_FAILURE() << "no error for a value the kernel refuses";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("net.ipv4.tcp_syn_retries = 'many' refused"), std::string::npos) << what;
  }
  EXPECT_THROW(L3Topology(L3Config{{Device::tun, 1500, {{"../../etc/passwd", "x"}}, {}}, {}, false}), std::runtime_error);
  expect_nothing_left();
}

TEST(L3TopologyConfig, Ipv6AddressesWithoutLinkLocalOrDad) {
  WP_SKIP_WITHOUT_L3();
  {
    L3Config c;
    c.ipv6 = true;
    L3Topology topo(c);
    EXPECT_EQ(topo.address(Dir::c2s), "2001:db8::1");
    const auto& n = topo.ns(Dir::c2s).name();
    const auto addrs = tool_output("ip", {"-n", n, "-6", "addr", "show"});
    EXPECT_NE(addrs.find("inet6 2001:db8::1/128"), std::string::npos) << addrs;
    EXPECT_EQ(addrs.find("fe80"), std::string::npos) << "no link-local: " << addrs;
    EXPECT_EQ(addrs.find("tentative"), std::string::npos) << addrs;
    const auto route = tool_output("ip", {"-n", n, "-6", "route", "show"});
    EXPECT_NE(route.find("2001:db8::2 dev"), std::string::npos) << route;
    EXPECT_EQ(topo.describe()["client"]["sysctls"]["net.ipv6.conf." + topo.ns(Dir::c2s).name() + ".accept_ra"], "0");
  }
  expect_nothing_left();
}

TEST(L3TopologyConfig, PacketSocketSideIsASeqpacketPairAndNoDevice) {
  WP_SKIP_WITHOUT_L3();
  {
    L3Config c;
    c.server.device = Device::packet_socket;
    L3Topology topo(c);
    ASSERT_GE(topo.peer_fd(Dir::s2c), 0);
    const std::uint8_t packet[3] = {1, 2, 3};
    ASSERT_EQ(::write(topo.peer_fd(Dir::s2c), packet, 3), 3);
    ASSERT_EQ(::write(topo.peer_fd(Dir::s2c), packet, 2), 2);
    std::uint8_t buf[16];
    EXPECT_EQ(::read(topo.wire_fd(Dir::s2c), buf, sizeof buf), 3) << "one read is one packet";
    EXPECT_EQ(::read(topo.wire_fd(Dir::s2c), buf, sizeof buf), 2);
    const auto links = tool_output("ip", {"-n", topo.ns(Dir::s2c).name(), "-o", "link", "show"});
    EXPECT_EQ(links.find(topo.ns(Dir::s2c).name()), std::string::npos) << "no device on a packet_socket side: " << links;
    EXPECT_EQ(topo.describe()["server"]["device"], "packet_socket");
  }
  expect_nothing_left();
}

// A burst towards a user-space peer that is busy must queue, as a NIC's
// queue would, not be refused: the default socketpair buffer took ~80
// full-size packets, then EAGAIN (send_failed: loss the harness made).
TEST(L3TopologyConfig, PacketSocketQueuesABurstOfAThousandFullSizePackets) {
  WP_SKIP_WITHOUT_L3();
  {
    L3Config c;
    c.server.device = Device::packet_socket;
    L3Topology topo(c);
    const int fd = topo.wire_fd(Dir::s2c);
    ASSERT_EQ(::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
    const std::vector<std::uint8_t> packet(1500, 0x45);
    int written = 0;
    while (written < 1000 && ::write(fd, packet.data(), packet.size()) == 1500) ++written;
    EXPECT_EQ(written, 1000) << "refused after " << written << ": " << std::strerror(errno);
    EXPECT_GE(topo.describe()["server"]["packet_queue_bytes"].get<int>(), 8 << 20);
  }
  expect_nothing_left();
}

}  // namespace
}  // namespace wireproof::wire::l3
