// inject: the crafted segment carries the tracked connection's addresses and
// ports, its seq/ack resolve against the tracked state, and the packet is
// valid (checked by the IP dissector). Without a tracked connection nothing
// is sent and the link says why.
#include "harness/wire/tcp_inject.hpp"

#include <gtest/gtest.h>

#include "harness/dissect/ip_dissector.hpp"
#include "harness/wire/link_test_support.hpp"
#include "harness/wire/tcp_test_segments.hpp"

namespace wireproof::wire {
namespace {

namespace f = events::tcp_flags;

using testing::tcp_segment;

// Client ISN 1000 sent 300 bytes (rcv_nxt at the server 1301); server ISN
// 7000 sent 50 (its snd_nxt 7051) and advertises 100 << 3.
TcpTracker connection(int version) {
  TcpTracker t;
  t.observe(Dir::c2s, tcp_segment(Dir::c2s, f::syn, 1000, 0, 7, 64240, version));
  t.observe(Dir::s2c, tcp_segment(Dir::s2c, f::syn | f::ack, 7000, 0, 3, 65160, version));
  t.observe(Dir::c2s, tcp_segment(Dir::c2s, f::ack, 1001, 300, std::nullopt, 500, version));
  t.observe(Dir::s2c, tcp_segment(Dir::s2c, f::ack, 7001, 50, std::nullopt, 100, version));
  return t;
}

class Inject : public ::testing::TestWithParam<int> {};

TEST_P(Inject, BlindRstInTheServersWindow) {
  scenario::Inject what;
  what.dir = scenario::Direction::c2s;
  what.flags = f::rst;
  what.seq = {scenario::SeqExpr::Base::rcv_nxt, 1000};
  const Injection j = craft_injection(connection(GetParam()), what);
  ASSERT_EQ(j.error, "");
  const auto p = dissect::dissect_ip(j.packet);
  EXPECT_FALSE(p.malformed) << *p.malformed;
  ASSERT_TRUE(p.tcp);
  EXPECT_TRUE(p.tcp->checksum_ok);
  EXPECT_EQ(p.ip.src.to_string(), GetParam() == 4 ? "198.18.0.1" : "2001:db8::1");
  EXPECT_EQ(p.ip.dst.to_string(), GetParam() == 4 ? "198.18.0.2" : "2001:db8::2");
  EXPECT_EQ(p.tcp->src_port, 40000);
  EXPECT_EQ(p.tcp->dst_port, 5000);
  EXPECT_EQ(p.tcp->seq, 1301u + 1000u);
  EXPECT_EQ(p.tcp->flags, f::rst);
  EXPECT_EQ(p.tcp->ack, 0u);
  EXPECT_EQ(j.tcp.seq, p.tcp->seq);
  EXPECT_EQ(j.ip.src, GetParam() == 4 ? "198.18.0.1" : "2001:db8::1");
}

TEST_P(Inject, SeqAckAndDataFromEveryBase) {
  scenario::Inject what;
  what.dir = scenario::Direction::s2c;  // forged as the server's, to the client
  what.flags = f::ack | f::psh;
  what.seq = {scenario::SeqExpr::Base::rcv_wnd_end, 1};  // 7051 + client's 500 << 7
  what.ack = scenario::SeqExpr{scenario::SeqExpr::Base::snd_nxt, -2};  // the client's 1301 - 2
  what.payload_bytes = 10;
  const Injection j = craft_injection(connection(GetParam()), what);
  ASSERT_EQ(j.error, "");
  const auto p = dissect::dissect_ip(j.packet);
  ASSERT_TRUE(p.tcp);
  EXPECT_TRUE(p.tcp->checksum_ok);
  EXPECT_EQ(p.tcp->seq, 7051u + (500u << 7) + 1u);
  EXPECT_EQ(p.tcp->ack, 1299u);
  EXPECT_EQ(p.tcp->payload_length, 10u);
  EXPECT_EQ(p.tcp->src_port, 5000);
  what.seq = {scenario::SeqExpr::Base::isn, -1};  // wraps below the ISN
  EXPECT_EQ(craft_injection(connection(GetParam()), what).tcp.seq, 6999u);
}

INSTANTIATE_TEST_SUITE_P(Ip, Inject, ::testing::Values(4, 6),
                         [](const auto& info) { return "v" + std::to_string(info.param); });

TEST(InjectWithoutConnection, NothingIsCraftedAndTheLinkSaysWhy) {
  scenario::Inject what;
  what.flags = f::rst;
  EXPECT_EQ(craft_injection(TcpTracker{}, what).error,
            "no connection tracked yet (both SYNs must have passed the wire)");

  scenario::Scenario sc;
  sc.protocol = "tcp";
  scenario::TimelineEntry e;
  e.at_ms = 0;
  e.inject = what;
  sc.timeline.push_back(e);
  testing::Harness h(sc);
  h.send(Dir::c2s, testing::app(0), 1000);
  ASSERT_EQ(h.link_changes().size(), 1u);
  EXPECT_EQ(h.link_changes()[0]->change, "inject");
  EXPECT_EQ(h.link_changes()[0]->value["skipped"], "no connection tracked yet (both SYNs must have passed the wire)");
  EXPECT_EQ(h.datagrams().size(), 1u);  // only the peer's
  EXPECT_TRUE(h.drain(2000).size() == 1u);
}

}  // namespace
}  // namespace wireproof::wire
