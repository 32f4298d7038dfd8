// The L3 wire end to end: kernel TCP between two namespaces through
// L3Topology + L3Relay + Link, with impairments, MTU changes and ICMP.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <map>
#include <variant>
#include <vector>

#include "harness/capture/pcapng_writer.hpp"
#include "harness/wire/l3/l3_relay.hpp"
#include "harness/wire/l3/l3_test_support.hpp"
#include "harness/wire/l3/l3_topology.hpp"

namespace wireproof::wire::l3 {
namespace {

constexpr std::size_t kEchoBytes = 64 * 1024;
constexpr std::int64_t kRunLimitUs = 20'000'000;

// One run: topology, link, relay and a kernel-TCP echo, driven on this thread.
struct WireRun {
  explicit WireRun(scenario::Scenario sc, bool ipv6, L3Config config = {}, std::size_t bytes = kEchoBytes)
      : scenario(with_l3(std::move(sc), ipv6)),
        topo((config.ipv6 = ipv6, config)),
        link(scenario, 7, [this](const events::Event& e) { log.push_back(e); }),
        relay(link, topo.wire_fd(Dir::c2s), topo.wire_fd(Dir::s2c)),
        echo(topo.ns(Dir::c2s), topo.ns(Dir::s2c), topo.address(Dir::s2c), bytes) {}

  static scenario::Scenario with_l3(scenario::Scenario sc, bool ipv6) {
    sc.name = "l3-wire-test";
    sc.wire = scenario::Wire::l3;
    sc.ip_version = ipv6 ? 6 : 4;
    return sc;
  }

  // Drives the wire until the echo finishes or `limit_us` passes; then ends the run.
  bool run(std::int64_t limit_us = kRunLimitUs) {
    const bool done = run_relay_until(relay, [this] { return echo.finished(); }, relay.now_us() + limit_us);
    echo.abort();
    echo.join();
    link.finish(relay.now_us());
    return done;
  }

  std::vector<const events::Datagram*> datagrams(const std::string& dir = "") const {
    std::vector<const events::Datagram*> out;
    for (const auto& e : log)
      if (auto* d = std::get_if<events::Datagram>(&e); d && (dir.empty() || d->dir == dir)) out.push_back(d);
    return out;
  }

  scenario::Scenario scenario;
  std::vector<events::Event> log;
  L3Topology topo;
  Link link;
  L3Relay relay;
  test::TcpEcho echo;
};

// The link MTU drops to 1280 when the 16th client packet arrives (0-based index 15):
// past the handshake, a third into a 64 KiB echo.
scenario::TimelineEntry mtu_1280_mid_transfer() {
  scenario::TimelineEntry shrink;
  scenario::Match m;
  m.index = 15;
  shrink.on_datagram = std::make_pair(scenario::Direction::c2s, m);
  shrink.set_mtu = 1280;
  return shrink;
}

std::string mine() { return std::string(kNamespacePrefix) + std::to_string(::getpid()) + "-"; }

void expect_nothing_left() {
  for (const auto& n : NetNamespace::list_ours()) EXPECT_NE(n.rfind(mine(), 0), 0u) << n << " left behind";
}

class L3Wire : public ::testing::TestWithParam<bool> {};  // ipv6?

std::string param_name(const ::testing::TestParamInfo<bool>& info) { return info.param ? "Ipv6" : "Ipv4"; }

TEST_P(L3Wire, KernelTcpEchoRecoversFromADroppedSegment) {
  WP_SKIP_WITHOUT_L3();
  {
    scenario::Scenario sc;
    scenario::Rule drop;
    drop.name = "drop-sixth-data-segment";
    drop.dir = scenario::Direction::c2s;
    drop.match.size_min = 1000;
    drop.skip = 5;
    drop.count = 1;
    sc.rules.push_back(drop);
    WireRun r(sc, GetParam());
    ASSERT_TRUE(r.run()) << "echo did not finish: " << r.echo.error();
    EXPECT_EQ(r.echo.error(), "");
    ASSERT_EQ(r.echo.received().size(), r.echo.sent().size());
    EXPECT_TRUE(r.echo.received() == r.echo.sent()) << "echoed bytes differ";

    const auto c2s = r.datagrams("c2s");
    const auto dropped = std::find_if(c2s.begin(), c2s.end(), [](auto* d) { return d->fate == "dropped"; });
    ASSERT_NE(dropped, c2s.end()) << "the rule dropped nothing";
    ASSERT_TRUE((*dropped)->tcp);
    EXPECT_EQ((*dropped)->actions.at(0).rule, "drop-sixth-data-segment");
    EXPECT_EQ((*dropped)->ip->version, GetParam() ? 6 : 4);
    const std::uint32_t seq = (*dropped)->tcp->seq;
    // The kernel sent that sequence range again, and this time it crossed.
    const auto again = std::find_if(dropped + 1, c2s.end(), [&](auto* d) {
      return d->tcp && d->tcp->seq == seq && d->tcp->payload_length > 0 && d->fate == "forwarded";
    });
    EXPECT_NE(again, c2s.end()) << "no retransmission of seq " << seq << " in the log";
    EXPECT_EQ(std::count_if(c2s.begin(), c2s.end(), [](auto* d) { return d->fate == "dropped"; }), 1);
    for (auto* d : r.datagrams()) EXPECT_EQ(d->origin, "peer") << "no ICMP without an MTU drop";
    EXPECT_EQ(r.link.totals().dropped, 1u);
  }
  expect_nothing_left();
}

// The link MTU falls from 1500 to 1280 mid-transfer: the wire answers the first
// oversize packets with ICMP, the kernels lower their path MTU, and the rest of
// the transfer fits.
TEST_P(L3Wire, MtuShrinkMidTransferIsAnsweredWithIcmpAndTheKernelAdapts) {
  WP_SKIP_WITHOUT_L3();
  {
    const bool v6 = GetParam();
    scenario::Scenario sc;
    sc.timeline.push_back(mtu_1280_mid_transfer());
    // Strict reverse-path filtering on the senders: the ICMP from the wire's
    // address is accepted anyway, because the topology routes that address.
    L3Config strict;
    strict.client.sysctls = strict.server.sysctls = {{"net.ipv4.conf.all.rp_filter", "1"}};
    WireRun r(sc, v6, strict);
    ASSERT_TRUE(r.run()) << "echo did not finish: " << r.echo.error();
    EXPECT_TRUE(r.echo.received() == r.echo.sent()) << "echoed bytes differ";

    const auto all = r.datagrams();
    const auto first_icmp = std::find_if(all.begin(), all.end(), [](auto* d) { return d->origin == "wire"; });
    ASSERT_NE(first_icmp, all.end()) << "no ICMP after the MTU shrink";
    std::size_t to_client = 0;
    for (auto* d : all) {
      if (d->origin != "wire") continue;
      ASSERT_TRUE(d->icmp && d->ip);
      EXPECT_EQ(v6 ? d->icmp->is_packet_too_big() : d->icmp->is_frag_needed(), true);
      EXPECT_EQ(d->icmp->mtu, 1280u);
      EXPECT_EQ(d->ip->src, v6 ? "2001:db8::fe" : "198.18.0.254");
      EXPECT_FALSE(d->malformed) << *d->malformed;
      EXPECT_EQ(d->fate, "forwarded");
      to_client += d->dir == "s2c";
    }
    ASSERT_GE(to_client, 1u) << "the client's oversize segments were answered";
    // After the last ICMP every packet fits; after the client's first, its data
    // segments refit the new MTU (the rest of the 64 KiB: dozens of segments).
    const auto last_icmp = std::find_if(all.rbegin(), all.rend(), [](auto* d) { return d->origin == "wire"; });
    for (auto it = last_icmp.base(); it != all.end(); ++it)
      EXPECT_LE((*it)->ip_size, 1280u) << "packet #" << (*it)->i << " after the PMTU update";
    const auto client_icmp = std::find_if(all.begin(), all.end(), [](auto* d) { return d->origin == "wire" && d->dir == "s2c"; });
    std::size_t refit = 0;
    for (auto it = client_icmp; it != all.end(); ++it)
      refit += (*it)->dir == "c2s" && (*it)->fate == "forwarded" && (*it)->ip_size > 1200 && (*it)->ip_size <= 1280;
    EXPECT_GT(refit, 5u) << "the client's segments should grow back to just under 1280";
    // The kernel's own path-MTU cache says so.
    const auto route = test::tool_output(
        "ip", {"-n", r.topo.ns(Dir::c2s).name(), v6 ? "-6" : "-4", "route", "get", v6 ? "2001:db8::2" : "198.18.0.2"});
    EXPECT_NE(route.find("mtu 1280"), std::string::npos) << route;
  }
  expect_nothing_left();
}

// link.icmp false: the same shrink is a black hole. No ICMP, the oversize
// segments are retransmitted at full size and dropped again, the echo stalls.
TEST_P(L3Wire, IcmpFalseMakesTheShrinkABlackHole) {
  WP_SKIP_WITHOUT_L3();
  {
    scenario::Scenario sc;
    sc.link.icmp = false;
    sc.timeline.push_back(mtu_1280_mid_transfer());
    WireRun r(sc, GetParam());
    EXPECT_FALSE(r.run(3'000'000)) << "the echo finished through a black hole";
    std::map<std::uint32_t, int> drops_by_seq;
    for (auto* d : r.datagrams()) {
      EXPECT_EQ(d->origin, "peer") << "ICMP sent with link.icmp false";
      if (d->fate == "dropped" && d->tcp && d->dir == "c2s") drops_by_seq[d->tcp->seq]++;
    }
    const auto most = std::max_element(drops_by_seq.begin(), drops_by_seq.end(),
                                       [](auto& a, auto& b) { return a.second < b.second; });
    ASSERT_NE(most, drops_by_seq.end()) << "nothing was dropped";
    EXPECT_GE(most->second, 2) << "the kernel should retransmit the oversize segment, and lose it again";
  }
  expect_nothing_left();
}

// capture.pcapng of an L3 run, read by tshark: one frame per leg, on the side's
// interface, with the IP lengths of the log, and tshark finds nothing malformed.
TEST_P(L3Wire, CaptureOfAnMtuRunIsReadByTshark) {
  WP_SKIP_WITHOUT_L3();
  if (::access("/usr/bin/tshark", X_OK) != 0) GTEST_SKIP() << "tshark not installed";
  {
    scenario::Scenario sc;
    sc.timeline.push_back(mtu_1280_mid_transfer());
    // 64 KB: the MTU drops after the 15th c2s datagram, which must still come
    // before the client's last full-sized segment (16 KB was too short to be sure:
    // a client that sent fewer ACK-only packets finished first, and no ICMP came).
    WireRun r(sc, GetParam(), {}, 64 * 1024);
    ASSERT_TRUE(r.run()) << r.echo.error();
    events::EventLog log{r.log};
    const auto packets = capture::capture_packets(log, {});
    const auto path = std::filesystem::temp_directory_path() / ("wp-l3-capture-" + std::to_string(::getpid()) + ".pcapng");
    {
      std::ofstream out(path, std::ios::binary);
      capture::write_pcapng(log, {}, out);
    }
    const auto fields = test::tool_output(
        "tshark", {"-r", path.string(), "-T", "fields", "-e", "frame.interface_id", "-e", GetParam() ? "ipv6.plen" : "ip.len",
                   "-e", "_ws.malformed", "-e", "icmp.type", "-e", "icmpv6.type"});
    std::filesystem::remove(path);
    std::istringstream lines(fields);
    std::size_t n = 0, icmp = 0;
    for (std::string line; std::getline(lines, line); ++n) {
      ASSERT_LT(n, packets.size()) << "more frames than legs";
      std::istringstream f(line);
      std::string iface, len, malformed, icmp4, icmp6;
      std::getline(f, iface, '\t');
      std::getline(f, len, '\t');
      std::getline(f, malformed, '\t');
      std::getline(f, icmp4, '\t');
      std::getline(f, icmp6, '\t');
      EXPECT_EQ(iface, std::to_string(packets[n].interface)) << "frame " << n + 1;
      // IPv6's payload length excludes its 40-byte header.
      const std::size_t ip_len = std::stoul(len.substr(0, len.find(','))) + (GetParam() ? 40 : 0);
      EXPECT_EQ(ip_len, packets[n].ip.size()) << "frame " << n + 1;
      EXPECT_TRUE(malformed.empty()) << "frame " << n + 1 << " malformed: " << line;
      icmp += icmp4.find("3") == 0 || icmp6.find("2") == 0;
    }
    EXPECT_EQ(n, packets.size());
    EXPECT_GE(icmp, 1u) << "tshark saw no frag-needed / packet too big";
  }
  expect_nothing_left();
}

INSTANTIATE_TEST_SUITE_P(Both, L3Wire, ::testing::Values(false, true), param_name);

}  // namespace
}  // namespace wireproof::wire::l3
