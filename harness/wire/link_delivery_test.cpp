// Link: what the log says about deliveries is what really happened -- real
// send times, refused sends, copies never sent, reordering and delay as they
// happened, and how often each rule and timeline entry took effect.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/wire/link_test_support.hpp"

using namespace wireproof;
using namespace wireproof::wire;
using namespace wireproof::wire::testing;
using scenario::Direction;

TEST(LinkDelivery, DeliveriesAreTheReportedSendTimesNotThePlannedOnes) {
  scenario::Scenario sc;
  sc.link.delay_ms = 10;
  Harness h(sc);
  h.send(Dir::c2s, client_hello(), 1000);
  auto d = h.link.pop_due(20000);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->due_us, 11000);
  EXPECT_TRUE(h.datagrams().empty()) << "the event waits until the copy has left";
  h.link.sent(*d, 11750);  // the relay woke 750 us late
  ASSERT_EQ(h.datagrams().size(), 1u);
  EXPECT_EQ(h.datagrams()[0]->deliveries_us, std::vector<std::int64_t>{11750});
  EXPECT_EQ(h.datagrams()[0]->fate, "forwarded");
}

TEST(LinkDelivery, AFailedSendIsAnActionWithItsErrorAndNotADelivery) {
  Harness h(scenario::Scenario{});
  h.link.on_datagram(Dir::s2c, server_flight(), 0);
  auto d = h.link.pop_due(0);
  ASSERT_TRUE(d);
  h.link.send_failed(*d, "EAGAIN");
  ASSERT_EQ(h.datagrams().size(), 1u);
  const auto& ev = *h.datagrams()[0];
  EXPECT_EQ(ev.fate, "send_failed");
  EXPECT_TRUE(ev.deliveries_us.empty());
  ASSERT_EQ(ev.actions.size(), 1u);
  EXPECT_EQ(ev.actions[0].rule, "link");
  EXPECT_EQ(ev.actions[0].action, "send_failed");
  EXPECT_EQ(ev.actions[0].detail, "EAGAIN");
  EXPECT_EQ(h.link.totals().send_failed, 1u);
  EXPECT_EQ(h.link.totals().never_sent, 0u);
}

TEST(LinkDelivery, OneFailedCopyOfADuplicateLeavesTheOtherDelivered) {
  scenario::Scenario sc;
  sc.rules = {rule("dup", scenario::Duplicate{1, 5})};
  Harness h(sc);
  h.link.on_datagram(Dir::c2s, client_hello(), 0);
  auto first = h.link.pop_due(0);
  ASSERT_TRUE(first);
  h.link.send_failed(*first, "ENOBUFS");
  EXPECT_TRUE(h.datagrams().empty()) << "the second copy is still due";
  auto second = h.link.pop_due(5000);
  ASSERT_TRUE(second);
  h.link.sent(*second, 5010);
  const auto& ev = *h.datagrams().at(0);
  EXPECT_EQ(ev.fate, "forwarded");
  EXPECT_EQ(ev.deliveries_us, std::vector<std::int64_t>{5010});
  EXPECT_EQ(ev.actions.back().action, "send_failed");
  EXPECT_EQ(h.link.totals().send_failed, 0u) << "counted per datagram that reached nobody";
}

// The one datagram of a run that ended at end_us with it still on the wire.
events::Datagram ended_on(scenario::Action action, std::int64_t end_us) {
  scenario::Scenario sc;
  sc.rules = {rule("r", std::move(action))};
  Harness h(sc);
  h.send(Dir::c2s, app(0), 0);
  EXPECT_TRUE(h.drain(end_us).empty());
  h.link.finish(end_us);
  EXPECT_TRUE(h.drain(10'000'000).empty()) << "nothing is sent after the end";
  EXPECT_EQ(h.link.totals().never_sent, 1u);
  EXPECT_EQ(h.link.totals().reordered, 0u) << "nothing overtook it";
  return *h.datagrams().at(0);
}

TEST(LinkDelivery, AHeldDatagramTheRunEndedOnWasNeverSent) {
  const auto ev = ended_on(scenario::Reorder{3, 500}, 100);
  EXPECT_EQ(ev.fate, "never_sent");
  EXPECT_TRUE(ev.deliveries_us.empty()) << "no ghost delivery at the end of the run";
  ASSERT_EQ(ev.actions.size(), 2u);
  EXPECT_EQ(ev.actions[1].action, "never_sent");
  EXPECT_EQ(ev.actions[1].detail, "run ended while held for reordering");
}

TEST(LinkDelivery, ADelayedDatagramNotYetDueAtTheEndWasNeverSent) {
  const auto ev = ended_on(scenario::Delay{200, 0}, 100'000);
  EXPECT_EQ(ev.fate, "never_sent");
  EXPECT_TRUE(ev.deliveries_us.empty());
  EXPECT_EQ(ev.actions.back().detail, "run ended before it was due");
}

TEST(LinkDelivery, ACopyDueButNotSentWhenTheRunEndedSaysSo) {
  Harness h(scenario::Scenario{});
  h.link.on_datagram(Dir::c2s, app(0), 0);
  h.link.finish(5);
  const auto& ev = *h.datagrams().at(0);
  EXPECT_EQ(ev.fate, "never_sent");
  EXPECT_EQ(ev.actions.back().detail, "run ended before it was sent");
}

TEST(LinkDelivery, APoppedCopyNeverReportedIsNotDelivered) {
  Harness h(scenario::Scenario{});
  h.link.on_datagram(Dir::c2s, app(0), 0);
  ASSERT_TRUE(h.link.pop_due(0));
  h.link.finish(10);
  const auto& ev = *h.datagrams().at(0);
  EXPECT_EQ(ev.fate, "never_sent");
  EXPECT_TRUE(ev.deliveries_us.empty());
}

TEST(LinkDelivery, ReportingACopyTwiceIsALogicError) {
  Harness h(scenario::Scenario{});
  h.link.on_datagram(Dir::c2s, app(0), 0);
  auto d = h.link.pop_due(0);
  h.link.sent(*d, 0);
  EXPECT_THROW(h.link.sent(*d, 1), std::logic_error);
}

// --- reordered / delayed: counted from what happened ---

// Datagrams that left after a later arrival in the same direction had left,
// computed from the order in which the link handed out deliveries.
std::uint64_t overtaken(const std::vector<Delivery>& in_send_order) {
  std::uint64_t count = 0;
  std::optional<std::uint64_t> latest;
  std::vector<std::uint64_t> seen;
  for (const auto& d : in_send_order) {
    if (std::find(seen.begin(), seen.end(), d.event_i) != seen.end()) continue;  // a later copy
    seen.push_back(d.event_i);
    if (latest && *latest > d.event_i) ++count;
    if (!latest || *latest < d.event_i) latest = d.event_i;
  }
  return count;
}

TEST(LinkDelivery, JitterCountsTheDatagramsItReallyReorderedAndDelayed) {
  scenario::Scenario sc;
  sc.link.jitter_ms = 10;  // 0..10 ms on datagrams 1 ms apart: many overtake each other
  Harness h(sc, 5);
  std::vector<Delivery> order;
  for (int k = 0; k < 200; ++k) {
    h.send(Dir::c2s, app(static_cast<std::uint64_t>(k)), k * 1000);
    for (auto& d : h.drain(k * 1000)) order.push_back(std::move(d));
  }
  for (auto& d : h.drain(1'000'000)) order.push_back(std::move(d));
  ASSERT_EQ(order.size(), 200u);
  const auto expected = overtaken(order);
  EXPECT_GT(expected, 20u) << "the seed should reorder plenty";
  EXPECT_EQ(h.link.totals().reordered, expected);
  std::uint64_t later = 0;
  for (const auto* d : h.datagrams()) later += d->deliveries_us.at(0) > d->t_us;
  EXPECT_EQ(h.link.totals().delayed, later);
  EXPECT_GT(later, 190u);
}

TEST(LinkDelivery, ADelayRuleThatLetsALaterDatagramPassCountsOneReorder) {
  scenario::Scenario sc;
  scenario::Match first;
  first.index = 0;
  sc.rules = {rule("slow-first", scenario::Delay{5, 0}, first, Direction::c2s)};
  Harness h(sc);
  h.send(Dir::c2s, app(0), 0);
  h.send(Dir::c2s, app(1), 1000);
  h.send(Dir::s2c, app(2), 1000);
  h.drain(10'000);
  EXPECT_EQ(h.link.totals().reordered, 1u);
  EXPECT_EQ(h.link.totals().delayed, 1u);
}

TEST(LinkDelivery, AZeroDelayAndAHoldNothingPassedCountNothing) {
  scenario::Scenario sc;
  sc.rules = {rule("noop-delay", scenario::Delay{0, 0}), rule("hold", scenario::Reorder{5, 10}, {}, Direction::s2c)};
  Harness h(sc);
  h.send(Dir::c2s, app(0), 0);
  h.send(Dir::s2c, app(1), 0);
  h.drain(100'000);
  EXPECT_EQ(h.link.totals().delayed, 0u);
  EXPECT_EQ(h.link.totals().reordered, 0u) << "the held datagram timed out with nothing passing it";
}

// --- hit counts per rule and timeline entry ---

TEST(LinkDelivery, CountsHitsPerRuleAndTimelineEntry) {
  scenario::Scenario sc;
  scenario::Match hello, never;
  hello.handshake_type = 1;
  never.handshake_type = 99;
  sc.rules = {rule("drop-hello", scenario::Drop{}, hello), rule("never", scenario::Drop{}, never),
              rule("skipped", scenario::Drop{}, {}, Direction::s2c)};
  sc.rules[1].must_fire = false;
  sc.rules[2].skip = 5;
  scenario::TimelineEntry at, later;
  at.at_ms = 1;
  at.set_mtu = 1000;
  later.at_ms = 60'000;
  later.set_mtu = 576;
  sc.timeline = {at, later};
  Harness h(sc);
  h.send(Dir::c2s, client_hello(), 0);
  h.send(Dir::c2s, client_hello(1), 2000);
  h.send(Dir::s2c, server_flight(), 3000);
  h.link.finish(4000);
  const auto rules = h.link.totals().rules;
  ASSERT_EQ(rules.size(), 5u);
  EXPECT_EQ(rules[0].kind, "rule");
  EXPECT_EQ(rules[0].name, "drop-hello");
  EXPECT_EQ(rules[0].matched, 2u);
  EXPECT_EQ(rules[0].hits, 2u);
  EXPECT_TRUE(rules[0].must_fire);
  EXPECT_EQ(rules[1].name, "never");
  EXPECT_EQ(rules[1].hits, 0u);
  EXPECT_FALSE(rules[1].must_fire);
  EXPECT_EQ(rules[2].matched, 1u);
  EXPECT_EQ(rules[2].hits, 0u) << "matched but skipped";
  EXPECT_EQ(rules[3].kind, "timeline");
  EXPECT_EQ(rules[3].name, "at 1 ms");
  EXPECT_EQ(rules[3].hits, 1u);
  EXPECT_EQ(rules[4].name, "at 60000 ms");
  EXPECT_EQ(rules[4].hits, 0u);
}
