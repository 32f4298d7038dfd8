// Link in L3 mode on hand-built packets: layers in the event, the MTU cap's
// ICMP (or its absence), corrupt inside the packet. Relay mode is covered,
// unchanged, by the link_*_test files.
#include <gtest/gtest.h>

#include "harness/dissect/ip_dissector.hpp"
#include "harness/wire/l3/l3_packet_test_support.hpp"
#include "harness/wire/link_test_support.hpp"

namespace wireproof::wire {
namespace {

using testing::Harness;

scenario::Scenario l3_scenario(int mtu = 1500, bool icmp = true) {
  scenario::Scenario sc;
  sc.name = "l3";
  sc.wire = scenario::Wire::l3;
  sc.link.mtu = mtu;
  sc.link.icmp = icmp;
  return sc;
}

TEST(LinkL3, LogsTheTcpLayersAndTheWholePacket) {
  Harness h(l3_scenario());
  const auto packet = l3::test::tcp_packet(4, 100);
  h.send(Dir::c2s, packet, 10);
  auto d = h.datagrams();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0]->fate, "forwarded");
  EXPECT_EQ(d[0]->size, 100u);
  EXPECT_EQ(d[0]->ip_size, packet.size());
  EXPECT_EQ(d[0]->packet, packet);
  EXPECT_EQ(d[0]->payload, std::vector<std::uint8_t>(100, 0x5a));
  ASSERT_TRUE(d[0]->ip && d[0]->tcp);
  EXPECT_EQ(d[0]->ip->src, "198.18.0.1");
  EXPECT_TRUE(d[0]->tcp->checksum_ok);
  EXPECT_EQ(d[0]->tcp->seq, 1000u);
  EXPECT_FALSE(d[0]->malformed);
  EXPECT_TRUE(d[0]->records.empty());  // TCP data is not DTLS-dissected
  EXPECT_EQ(d[0]->origin, "peer");
  h.drain(10);
  EXPECT_TRUE(h.datagrams()[0]->delivered.empty());  // delivered as it arrived
  EXPECT_EQ(h.datagrams()[0]->deliveries_us.size(), 1u);
}

// DTLS runs on the L3 wire unchanged: a UDP payload gets its records and flight.
TEST(LinkL3, UdpPayloadIsDtlsDissectedAsInRelayMode) {
  Harness h(l3_scenario());
  const auto hello = testing::client_hello();
  const auto packet = l3::test::udp_packet(hello);
  h.send(Dir::c2s, packet, 10);
  auto d = h.datagrams();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0]->payload, hello);
  EXPECT_EQ(d[0]->size, hello.size());
  EXPECT_EQ(d[0]->ip_size, hello.size() + 28);
  EXPECT_FALSE(d[0]->malformed) << *d[0]->malformed;
  ASSERT_FALSE(d[0]->records.empty());
  ASSERT_TRUE(d[0]->records[0].hs);
  EXPECT_EQ(d[0]->records[0].hs->name, "client_hello");
  EXPECT_EQ(d[0]->flight, 1);
  EXPECT_FALSE(d[0]->tcp);
}

// Not DTLS inside UDP: malformed, from the DTLS dissector, as in relay mode.
TEST(LinkL3, NonDtlsUdpPayloadIsMalformed) {
  Harness h(l3_scenario());
  h.send(Dir::c2s, l3::test::udp_packet({1, 2, 3}), 10);
  ASSERT_TRUE(h.datagrams().at(0)->malformed);
}

TEST(LinkL3, OversizeWithDfIsDroppedAndAnsweredWithFragNeeded) {
  Harness h(l3_scenario(1280));
  h.send(Dir::c2s, l3::test::tcp_packet(4, 1460), 10);
  auto d = h.datagrams();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0]->fate, "dropped");
  ASSERT_EQ(d[0]->actions.size(), 1u);
  EXPECT_EQ(d[0]->actions[0].action, "mtu");
  EXPECT_EQ(d[0]->actions[0].detail, "ip_size 1500 > mtu 1280; ICMP frag-needed mtu 1280 sent from 198.18.0.254 to 198.18.0.1");
  // The ICMP: its own event, from the wire, back towards the sender, delivered.
  EXPECT_EQ(d[1]->origin, "wire");
  EXPECT_EQ(d[1]->dir, "s2c");
  EXPECT_EQ(d[1]->fate, "forwarded");
  ASSERT_TRUE(d[1]->icmp && d[1]->ip);
  EXPECT_TRUE(d[1]->icmp->is_frag_needed());
  EXPECT_EQ(d[1]->icmp->mtu, 1280u);
  EXPECT_EQ(d[1]->ip->src, "198.18.0.254");
  EXPECT_FALSE(d[1]->malformed);
  EXPECT_EQ(h.link.totals().datagrams, 1u);  // the wire's own packet is not traffic
}

TEST(LinkL3, NextHopMtuBelowLinuxMinPmtuSaysSo) {
  Harness h(l3_scenario(500));
  h.send(Dir::c2s, l3::test::tcp_packet(4, 1000), 10);
  auto d = h.datagrams();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_NE(d[0]->actions.at(0).detail.find("below min_pmtu 552: Linux will use 552"), std::string::npos)
      << d[0]->actions[0].detail;
}

TEST(LinkL3, Ipv6OversizeIsAnsweredWithPacketTooBig) {
  Harness h(l3_scenario(1280));
  h.send(Dir::s2c, l3::test::tcp_packet(6, 1400), 10);
  auto d = h.datagrams();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0]->fate, "dropped");
  EXPECT_EQ(d[1]->dir, "c2s");  // back to the server, the sender
  ASSERT_TRUE(d[1]->icmp);
  EXPECT_TRUE(d[1]->icmp->is_packet_too_big());
  EXPECT_EQ(d[1]->ip->src, "2001:db8::fe");
}

TEST(LinkL3, IcmpFalseIsABlackHole) {
  Harness h(l3_scenario(1280, false));
  h.send(Dir::c2s, l3::test::tcp_packet(4, 1460), 10);
  auto d = h.datagrams();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0]->fate, "dropped");
  EXPECT_NE(d[0]->actions.at(0).detail.find("black hole"), std::string::npos);
}

// Without DF the wire is a router that fragments (RFC 791): the fragments
// reassemble to the packet, each fits the MTU, and no ICMP is sent.
TEST(LinkL3, OversizeWithoutDfIsFragmentedAsARouterWould) {
  Harness h(l3_scenario(1280));
  const auto packet = l3::test::tcp_packet(4, 1460, false);
  h.send(Dir::c2s, packet, 10);
  const auto out = h.drain(10);
  auto d = h.datagrams();
  ASSERT_EQ(d.size(), 1u);  // no ICMP
  EXPECT_EQ(d[0]->fate, "forwarded");
  EXPECT_NE(d[0]->actions.at(0).detail.find("cut into 2 fragments"), std::string::npos) << d[0]->actions.at(0).detail;
  ASSERT_EQ(out.size(), 2u);
  std::vector<std::uint8_t> payload;
  for (std::size_t k = 0; k < out.size(); ++k) {
    EXPECT_LE(out[k].bytes.size(), 1280u);
    const auto f = dissect::dissect_ip(out[k].bytes);
    EXPECT_TRUE(f.ip.header_checksum_ok);
    EXPECT_EQ(f.ip.mf, k == 0);
    EXPECT_EQ(f.ip.fragment_offset * 8u, payload.size());
    payload.insert(payload.end(), out[k].bytes.begin() + 20, out[k].bytes.end());
  }
  EXPECT_EQ(payload, std::vector<std::uint8_t>(packet.begin() + 20, packet.end()));
  // The event keeps the packet as it arrived and each fragment as delivered (the capture writes those).
  EXPECT_EQ(d[0]->packet, packet);
  ASSERT_EQ(d[0]->delivered.size(), 2u);
  for (std::size_t k = 0; k < out.size(); ++k) EXPECT_EQ(d[0]->delivered_bytes(k), out[k].bytes);
}

TEST(LinkL3, CorruptFlipsAPayloadByteInsideThePacket) {
  auto sc = l3_scenario();
  scenario::Corrupt c;
  c.offset = 3;
  sc.rules.push_back(testing::rule("flip", c));
  Harness h(sc);
  const auto packet = l3::test::tcp_packet(4, 100);
  h.send(Dir::c2s, packet, 10);
  const auto out = h.drain(10);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].bytes.size(), packet.size());
  const std::size_t at = 40 + 3;  // 20 IP + 20 TCP + offset
  EXPECT_EQ(out[0].bytes[at], static_cast<std::uint8_t>(packet[at] ^ 0xff));
  for (std::size_t k = 0; k < packet.size(); ++k)
    if (k != at) {
      ASSERT_EQ(out[0].bytes[k], packet[k]) << "byte " << k;
    }
  const auto p = dissect::dissect_ip(out[0].bytes);
  ASSERT_TRUE(p.tcp);
  EXPECT_FALSE(p.tcp->checksum_ok) << "the receiver's stack must see a bad checksum";
  const auto d = h.datagrams();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0]->packet, packet);  // as the sender wrote it
  ASSERT_EQ(d[0]->delivered.size(), 1u);
  EXPECT_EQ(d[0]->delivered[0], out[0].bytes);  // as the receiver got it
}

}  // namespace
}  // namespace wireproof::wire
