// Link: timeline entries at a time, on a datagram, on a peer event.
#include <gtest/gtest.h>

#include "harness/wire/link_test_support.hpp"

using namespace wireproof;
using namespace wireproof::wire;
using namespace wireproof::wire::testing;
using scenario::Direction;

TEST(LinkTimeline, AtTimeSetsMtu) {
  scenario::Scenario sc;
  scenario::TimelineEntry e;
  e.at_ms = 2000;
  e.set_mtu = 576;
  sc.timeline = {e};
  Harness h(sc);
  EXPECT_EQ(h.link.next_due_us(), 2000000);
  h.send(Dir::c2s, app(0, 700), 1999999);
  h.link.on_time(2000000);
  EXPECT_EQ(h.link.mtu(), 576);
  h.send(Dir::c2s, app(1, 700), 2000001);
  auto ds = h.datagrams();
  EXPECT_EQ(ds[0]->fate, "forwarded");
  EXPECT_EQ(ds[1]->fate, "dropped");
  EXPECT_EQ(ds[1]->mtu, 576);
  auto lc = h.link_changes();
  ASSERT_EQ(lc.size(), 1u);
  EXPECT_EQ(lc[0]->i, 1u);
  EXPECT_EQ(lc[0]->t_us, 2000000);
  EXPECT_EQ(lc[0]->change, "mtu");
  EXPECT_EQ(lc[0]->value, 576);
  EXPECT_EQ(lc[0]->cause, "at 2000 ms");
  h.drain(2000000);
  EXPECT_EQ(h.link.next_due_us(), std::nullopt) << "fires once";
}

TEST(LinkTimeline, AtTimeFiresBeforeALaterDatagram) {
  scenario::Scenario sc;
  scenario::TimelineEntry e;
  e.at_ms = 1;
  e.set_mtu = 100;
  sc.timeline = {e};
  Harness h(sc);
  h.send(Dir::c2s, app(0, 200), 5000);  // no on_time call in between
  EXPECT_EQ(h.datagrams().at(0)->fate, "dropped");
  ASSERT_EQ(h.log.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<events::LinkChange>(h.log[0]));
}

TEST(LinkTimeline, OnDatagramFiresAfterItPasses) {
  scenario::Scenario sc;
  scenario::TimelineEntry e;
  scenario::Match shd;
  shd.handshake_type = 14;
  e.on_datagram = std::make_pair(Direction::s2c, shd);
  e.set_mtu = 576;
  sc.timeline = {e};
  Harness h(sc);
  h.send(Dir::c2s, client_hello(), 0);
  EXPECT_EQ(h.link.mtu(), 1500);
  h.send(Dir::s2c, server_flight(), 10);
  EXPECT_EQ(h.link.mtu(), 576);
  ASSERT_EQ(h.log.size(), 3u);
  const auto& d = std::get<events::Datagram>(h.log[1]);
  EXPECT_EQ(d.mtu, 1500) << "the triggering datagram saw the old MTU";
  EXPECT_EQ(d.fate, "forwarded");
  const auto& l = std::get<events::LinkChange>(h.log[2]);
  EXPECT_EQ(l.i, 2u);
  EXPECT_EQ(l.cause, "on s2c server_hello_done");
}

TEST(LinkTimeline, OnDatagramDoesNotFireForADroppedDatagram) {
  scenario::Scenario sc;
  scenario::Match hello;
  hello.handshake_type = 1;
  sc.rules = {rule("drop-first-hello", scenario::Drop{}, hello)};
  sc.rules[0].count = 1;
  scenario::TimelineEntry e;
  e.on_datagram = std::make_pair(Direction::c2s, hello);
  e.set_mtu = 1000;
  sc.timeline = {e};
  Harness h(sc);
  h.send(Dir::c2s, client_hello(0), 0);
  EXPECT_EQ(h.link.mtu(), 1500);
  h.send(Dir::c2s, client_hello(1), 1000);
  EXPECT_EQ(h.link.mtu(), 1000);
}

TEST(LinkTimeline, OnPeerEventDisablesAndEnablesRules) {
  scenario::Scenario sc;
  sc.rules = {rule("lossy", scenario::Drop{})};
  scenario::TimelineEntry off, on;
  off.on_peer = scenario::PeerTrigger{"client", "handshake_done"};
  off.disable_rule = "lossy";
  on.at_ms = 10;
  on.enable_rule = "lossy";
  sc.timeline = {off, on};
  Harness h(sc);
  h.send(Dir::c2s, app(0), 0);
  h.link.on_peer_event("server", {{"event", "handshake_done"}}, 100);  // wrong role
  h.send(Dir::c2s, app(1), 200);
  h.link.on_peer_event("client", {{"event", "handshake_done"}}, 300);
  h.send(Dir::c2s, app(2), 400);
  h.send(Dir::c2s, app(3), 10000);
  auto ds = h.datagrams();
  ASSERT_EQ(ds.size(), 4u);
  EXPECT_EQ(ds[0]->fate, "dropped");
  EXPECT_EQ(ds[1]->fate, "dropped");
  EXPECT_EQ(ds[2]->fate, "forwarded");
  EXPECT_EQ(ds[3]->fate, "dropped");
  auto lc = h.link_changes();
  ASSERT_EQ(lc.size(), 2u);
  EXPECT_EQ(lc[0]->change, "rule");
  EXPECT_EQ(lc[0]->rule, "lossy");
  EXPECT_EQ(lc[0]->value, "disabled");
  EXPECT_EQ(lc[0]->cause, "on client handshake_done");
  EXPECT_EQ(lc[1]->value, "enabled");
  // Peer events are logged too, sharing the index space.
  std::size_t peers = 0;
  for (std::size_t k = 0; k < h.log.size(); ++k) {
    EXPECT_EQ(events::to_json(h.log[k])["i"], k);
    peers += std::holds_alternative<events::PeerEvent>(h.log[k]);
  }
  EXPECT_EQ(peers, 2u);
}

TEST(LinkTimeline, UnknownRuleNameIsRejected) {
  scenario::Scenario sc;
  sc.name = "typo";
  scenario::TimelineEntry e;
  e.at_ms = 1;
  e.disable_rule = "lossy";
  sc.timeline = {e};
  try {
    Harness h(sc);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& err) {
    EXPECT_NE(std::string(err.what()).find("'lossy'"), std::string::npos) << err.what();
  }
}
