// match.tcp against tracked connections: flags, data, sequence numbers
// relative to each sender's ISN, the K-th new data segment, retransmissions;
// and the rule pipeline acting on what the tracker says.
#include <gtest/gtest.h>

#include "harness/wire/match.hpp"
#include "harness/wire/rule_stage.hpp"
#include "harness/wire/tcp_segment_edit.hpp"
#include "harness/wire/tcp_test_segments.hpp"

// Each case names only the TcpMatch fields it sets (designated initializers);
// the others keep their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace wireproof::wire {
namespace {

namespace f = events::tcp_flags;

using testing::tcp_segment;

scenario::Match tcp_match(scenario::TcpMatch t) {
  scenario::Match m;
  m.tcp = t;
  return m;
}

// The client's ISN is 1000 (data from 1001), the server's 0xfffffff0 (its
// sequence space wraps during the test).
class TcpTrackerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    observe(tcp_segment(Dir::c2s, f::syn, 1000, 0, 7));
    observe(tcp_segment(Dir::s2c, f::syn | f::ack, 0xfffffff0u, 0, 2));
    observe(tcp_segment(Dir::c2s, f::ack, 1001, 0));
  }
  TcpPosition observe(const events::Datagram& d) {
    last_ = d;
    return tracker_.observe(d.dir == "c2s" ? Dir::c2s : Dir::s2c, d);
  }
  bool match(const scenario::TcpMatch& t, const events::Datagram& d) {
    const TcpPosition pos = observe(d);
    return matches(tcp_match(t), last_, 0, pos);
  }
  TcpTracker tracker_;
  events::Datagram last_;
};

TEST_F(TcpTrackerTest, PositionsAreRelativeToEachSendersIsn) {
  auto p = observe(tcp_segment(Dir::c2s, f::ack | f::psh, 1001, 100));
  EXPECT_EQ(p.seq_rel, 1u);
  EXPECT_EQ(p.nth_data, 1u);
  EXPECT_FALSE(p.retransmission);
  p = observe(tcp_segment(Dir::c2s, f::ack, 1101, 100));
  EXPECT_EQ(p.seq_rel, 101u);
  EXPECT_EQ(p.nth_data, 2u);
  // The server's data wraps past 2^32: still relative byte 1, then 21.
  p = observe(tcp_segment(Dir::s2c, f::ack, 0xfffffff1u, 20));
  EXPECT_EQ(p.seq_rel, 1u);
  EXPECT_EQ(p.nth_data, 1u);
  p = observe(tcp_segment(Dir::s2c, f::ack, 0x00000005u, 20));
  EXPECT_EQ(p.seq_rel, 21u);
  EXPECT_FALSE(p.retransmission);
}

TEST_F(TcpTrackerTest, RetransmissionsAreNotCountedAsNewDataSegments) {
  observe(tcp_segment(Dir::c2s, f::ack, 1001, 100));
  observe(tcp_segment(Dir::c2s, f::ack, 1101, 100));
  auto p = observe(tcp_segment(Dir::c2s, f::ack, 1001, 100));  // resent
  EXPECT_TRUE(p.retransmission);
  EXPECT_FALSE(p.nth_data);
  p = observe(tcp_segment(Dir::c2s, f::ack, 1101, 200));  // repacketised: old bytes and new
  EXPECT_TRUE(p.retransmission);
  p = observe(tcp_segment(Dir::c2s, f::ack, 1301, 100));
  EXPECT_FALSE(p.retransmission);
  EXPECT_EQ(p.nth_data, 3u);
  // Pure ACKs and zero-length probes occupy no sequence space: never retransmissions.
  p = observe(tcp_segment(Dir::c2s, f::ack, 1400, 0));
  EXPECT_FALSE(p.retransmission);
  EXPECT_EQ(p.seq_rel, 400u);
}

TEST_F(TcpTrackerTest, SynRetransmissionAndANewConnection) {
  TcpTracker t;
  EXPECT_FALSE(t.observe(Dir::c2s, tcp_segment(Dir::c2s, f::syn, 7, 0)).retransmission);
  EXPECT_TRUE(t.observe(Dir::c2s, tcp_segment(Dir::c2s, f::syn, 7, 0)).retransmission);
  t.observe(Dir::c2s, tcp_segment(Dir::c2s, f::ack, 8, 50));
  // The client reconnects with a new ISN: counting starts over.
  const auto p = t.observe(Dir::c2s, tcp_segment(Dir::c2s, f::syn, 90000, 0));
  EXPECT_FALSE(p.retransmission);
  EXPECT_EQ(p.seq_rel, 0u);
  EXPECT_EQ(t.observe(Dir::c2s, tcp_segment(Dir::c2s, f::ack, 90001, 10)).nth_data, 1u);
}

TEST_F(TcpTrackerTest, WireCraftedSegmentsAndMidConnectionJoinsHaveNoPosition) {
  auto crafted = tcp_segment(Dir::c2s, f::rst, 5000, 0);
  crafted.origin = "wire";
  EXPECT_FALSE(observe(crafted).seq_rel);
  TcpTracker fresh;  // never saw a SYN
  const auto p = fresh.observe(Dir::c2s, tcp_segment(Dir::c2s, f::ack, 1001, 100));
  EXPECT_FALSE(p.seq_rel);
  EXPECT_FALSE(p.nth_data);
  // Flags still match without a position; relative fields cannot.
  const auto d = tcp_segment(Dir::c2s, f::ack, 1001, 100);
  EXPECT_TRUE(matches(tcp_match({.flags = f::ack}), d, 0, p));
  EXPECT_FALSE(matches(tcp_match({.seq_rel_min = 0}), d, 0, p));
  EXPECT_FALSE(matches(tcp_match({.nth_data = 1}), d, 0, p));
  EXPECT_FALSE(matches(tcp_match({.retransmission = false}), d, 0, p));
}

TEST_F(TcpTrackerTest, FlagsAndNotFlags) {
  TcpTracker t;
  const scenario::TcpMatch syn_only{.flags = f::syn, .not_flags = f::ack};
  const auto syn = tcp_segment(Dir::c2s, f::syn, 1, 0);
  const auto synack = tcp_segment(Dir::s2c, f::syn | f::ack, 1, 0);
  EXPECT_TRUE(matches(tcp_match(syn_only), syn, 0, t.observe(Dir::c2s, syn)));
  EXPECT_FALSE(matches(tcp_match(syn_only), synack, 0, t.observe(Dir::s2c, synack)));
  EXPECT_TRUE(matches(tcp_match({.flags = f::syn | f::ack}), synack, 0, {}));
  EXPECT_FALSE(matches(tcp_match({.flags = f::syn | f::ack}), syn, 0, {}));
}

TEST_F(TcpTrackerTest, DataNthDataCoversAndSeqRange) {
  EXPECT_TRUE(match({.data = false}, tcp_segment(Dir::c2s, f::ack, 1001, 0)));
  EXPECT_FALSE(match({.data = true}, tcp_segment(Dir::c2s, f::ack, 1001, 0)));
  EXPECT_TRUE(match({.nth_data = 1}, tcp_segment(Dir::c2s, f::ack, 1001, 100)));   // bytes 1..100
  EXPECT_FALSE(match({.nth_data = 1}, tcp_segment(Dir::c2s, f::ack, 1101, 100)));  // the 2nd
  EXPECT_TRUE(match({.covers_seq_rel = 300}, tcp_segment(Dir::c2s, f::ack, 1201, 100)));  // bytes 201..300
  EXPECT_FALSE(match({.covers_seq_rel = 301}, tcp_segment(Dir::c2s, f::ack, 1201, 100)));
  EXPECT_FALSE(match({.covers_seq_rel = 200}, tcp_segment(Dir::c2s, f::ack, 1201, 100)));
  EXPECT_TRUE(match({.seq_rel_min = 301, .seq_rel_max = 301}, tcp_segment(Dir::c2s, f::ack, 1301, 100)));
  EXPECT_FALSE(match({.seq_rel_min = 402}, tcp_segment(Dir::c2s, f::ack, 1401, 100)));
  EXPECT_FALSE(match({.seq_rel_max = 400}, tcp_segment(Dir::c2s, f::ack, 1501, 100)));
  EXPECT_TRUE(match({.retransmission = true}, tcp_segment(Dir::c2s, f::ack, 1001, 100)));
  EXPECT_FALSE(match({.retransmission = true}, tcp_segment(Dir::c2s, f::ack, 1601, 100)));
  // A datagram without a TCP layer (the UDP relay) never matches tcp fields.
  events::Datagram udp;
  EXPECT_FALSE(matches(tcp_match({}), udp, 0, {}));
}

TEST_F(TcpTrackerTest, WindowScalesOnlyWhenBothSynsOfferedIt) {
  EXPECT_EQ(tracker_.scaled_window(Dir::c2s), 1000u << 7);
  observe(tcp_segment(Dir::s2c, f::ack, 0xfffffff1u, 0, std::nullopt, 10));
  EXPECT_EQ(tracker_.scaled_window(Dir::s2c), 10u << 2);
  TcpTracker one_sided;
  one_sided.observe(Dir::c2s, tcp_segment(Dir::c2s, f::syn, 1, 0, 7));
  one_sided.observe(Dir::s2c, tcp_segment(Dir::s2c, f::syn | f::ack, 1, 0));
  one_sided.observe(Dir::c2s, tcp_segment(Dir::c2s, f::ack, 2, 0, std::nullopt, 1000));
  EXPECT_EQ(one_sided.scaled_window(Dir::c2s), 1000u);
  // The window of a SYN is never scaled (RFC 7323 2.2).
  EXPECT_EQ(one_sided.scaled_window(Dir::s2c), 1000u);
}

// The rule pipeline: a rule on the 2nd new data segment drops that one only,
// not its retransmission; an rst rule turns its match into a RST on the copies.
TEST_F(TcpTrackerTest, RuleActsOnTheTrackedSegmentOnly) {
  scenario::Rule rule;
  rule.name = "lose-2nd";
  rule.dir = scenario::Direction::c2s;
  rule.match = tcp_match({.nth_data = 2});
  RuleStage stage(rule);
  Rng rng(1);
  std::vector<bool> dropped;
  for (std::uint32_t seq : {1001u, 1101u, 1201u, 1101u}) {
    auto d = tcp_segment(Dir::c2s, f::ack, seq, 100);
    ArrivalIndex arrival;
    arrival.tcp = tracker_.observe(Dir::c2s, d);
    Transit t{Dir::c2s, 0, d, {Copy{{1, 2, 3}, 0}}, std::nullopt};
    stage.apply(t, arrival, rng);
    dropped.push_back(t.dropped());
  }
  EXPECT_EQ(dropped, (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ(stage.acted(), 1u);
}

TEST_F(TcpTrackerTest, RstRuleRewritesTheCopiesAndSaysSo) {
  scenario::Rule rule;
  rule.name = "reset-first-data";
  rule.match = tcp_match({.nth_data = 1});
  rule.action = scenario::Reset{};
  RuleStage stage(rule);
  Rng rng(1);
  auto d = tcp_segment(Dir::c2s, f::ack | f::psh, 1001, 4);
  // 20-byte IPv4 header, 20-byte TCP header, 4 data bytes.
  std::vector<std::uint8_t> packet{0x45, 0, 0, 44, 0, 1, 0x40, 0, 64, 6, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2,
                                   0x9c, 0x40, 0x13, 0x88, 0, 0, 0x03, 0xe9, 0, 0, 0, 0, 0x50, 0x18, 0x03, 0xe8,
                                   0, 0, 0, 0, 'd', 'a', 't', 'a'};
  ArrivalIndex arrival;
  arrival.tcp = tracker_.observe(Dir::c2s, d);
  Transit t{Dir::c2s, 0, d, {Copy{packet, 0}}, std::nullopt};
  stage.apply(t, arrival, rng);
  ASSERT_EQ(t.copies.size(), 1u);
  ASSERT_EQ(t.copies[0].bytes.size(), 40u);
  EXPECT_EQ(t.copies[0].bytes[33], 0x14);  // RST|ACK
  ASSERT_EQ(d.actions.size(), 1u);
  EXPECT_EQ(d.actions[0].action, "rst");
  EXPECT_EQ(d.actions[0].detail, "PSH|ACK seq 1001 len 4 replaced by RST|ACK seq 1001");
}

TEST(TcpActions, WithoutATcpLayerTheDatagramIsUnchanged) {
  scenario::Rule rule;
  rule.name = "w";
  rule.action = scenario::RewriteWindow{0};
  RuleStage stage(rule);
  Rng rng(1);
  events::Datagram d;
  Transit t{Dir::c2s, 0, d, {Copy{{1, 2, 3}, 0}}, std::nullopt};
  stage.apply(t, ArrivalIndex{}, rng);
  EXPECT_EQ(t.copies[0].bytes, (std::vector<std::uint8_t>{1, 2, 3}));
  ASSERT_EQ(d.actions.size(), 1u);
  EXPECT_EQ(d.actions[0].detail, "not a TCP segment: unchanged");
}

}  // namespace
}  // namespace wireproof::wire
