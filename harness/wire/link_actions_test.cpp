// Link: each impairment action, the MTU cap, base delay and the event log shape.
#include <gtest/gtest.h>

#include "harness/wire/link_test_support.hpp"

using namespace wireproof;
using namespace wireproof::wire;
using namespace wireproof::wire::testing;
using scenario::Direction;

TEST(LinkBasics, ForwardsWithBaseDelayAndLogsOneEventPerDatagram) {
  scenario::Scenario sc;
  sc.link.delay_ms = 10;
  Harness h(sc);
  h.send(Dir::c2s, client_hello(), 1000);
  h.send(Dir::s2c, server_flight(), 2000);
  EXPECT_TRUE(h.drain(10999).empty());
  auto out = h.drain(12000);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].dir, Dir::c2s);
  EXPECT_EQ(out[0].bytes, client_hello());
  EXPECT_EQ(out[0].due_us, 11000);
  EXPECT_EQ(out[1].due_us, 12000);
  auto ds = h.datagrams();
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[0]->i, 0u);
  EXPECT_EQ(ds[1]->i, 1u);
  EXPECT_EQ(ds[0]->dir, "c2s");
  EXPECT_EQ(ds[0]->size, client_hello().size());
  EXPECT_EQ(ds[0]->ip_size, client_hello().size() + 28);
  EXPECT_EQ(ds[0]->mtu, 1500);
  EXPECT_EQ(ds[0]->flight, 1);
  EXPECT_EQ(ds[1]->flight, 2);
  EXPECT_EQ(ds[1]->records.size(), 2u);
  EXPECT_EQ(ds[0]->fate, "forwarded");
  EXPECT_EQ(ds[0]->deliveries_us, std::vector<std::int64_t>{11000});
  EXPECT_EQ(h.link.totals().datagrams, 2u);
  EXPECT_EQ(h.link.totals().bytes, client_hello().size() + server_flight().size());
}

TEST(LinkBasics, MalformedDatagramsAreForwardedAndCounted) {
  Harness h(scenario::Scenario{});
  h.send(Dir::c2s, Bytes{0x16, 0xfe}, 0);
  ASSERT_EQ(h.datagrams().size(), 1u);
  EXPECT_TRUE(h.datagrams()[0]->malformed);
  EXPECT_EQ(h.drain(0).size(), 1u);
  EXPECT_EQ(h.link.totals().malformed, 1u);
}

TEST(LinkActions, DropIsNotSeenByLaterRules) {
  scenario::Scenario sc;
  scenario::Match hello;
  hello.handshake_type = 1;
  sc.rules = {rule("drop-hello", scenario::Drop{}, hello), rule("dup-all", scenario::Duplicate{1, 0})};
  Harness h(sc);
  h.send(Dir::c2s, client_hello(), 0);
  h.send(Dir::s2c, server_flight(), 0);
  auto out = h.drain(0);
  ASSERT_EQ(out.size(), 2u) << "hello dropped, server flight duplicated";
  EXPECT_EQ(out[0].dir, Dir::s2c);
  auto ds = h.datagrams();
  EXPECT_EQ(ds[0]->fate, "dropped");
  ASSERT_EQ(ds[0]->actions.size(), 1u);
  EXPECT_EQ(ds[0]->actions[0].rule, "drop-hello");
  EXPECT_EQ(ds[0]->actions[0].action, "drop");
  EXPECT_TRUE(ds[0]->deliveries_us.empty());
  EXPECT_EQ(h.link.totals().dropped, 1u);
  EXPECT_EQ(h.link.totals().duplicated, 1u);
}

TEST(LinkActions, DuplicateWithGap) {
  scenario::Scenario sc;
  sc.rules = {rule("dup", scenario::Duplicate{2, 5})};
  Harness h(sc);
  h.send(Dir::c2s, client_hello(), 100);
  auto out = h.drain(20000);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].due_us, 100);
  EXPECT_EQ(out[1].due_us, 5100);
  EXPECT_EQ(out[2].due_us, 10100);
  EXPECT_EQ(h.datagrams()[0]->deliveries_us, (std::vector<std::int64_t>{100, 5100, 10100}));
  EXPECT_EQ(h.datagrams()[0]->actions.at(0).action, "duplicate");
}

TEST(LinkActions, DelayWithJitterStaysInRangeAndIsSeeded) {
  scenario::Scenario sc;
  sc.rules = {rule("slow", scenario::Delay{200, 50})};
  auto dues = [&](std::uint64_t seed) {
    Harness h(sc, seed);
    for (int k = 0; k < 50; ++k) h.send(Dir::c2s, app(k), k * 1000);
    h.drain(1'000'000);
    std::vector<std::int64_t> out;
    for (auto* d : h.datagrams()) out.push_back(d->deliveries_us.at(0) - d->t_us);
    return out;
  };
  auto a = dues(7);
  for (auto delay : a) {
    EXPECT_GE(delay, 200000);
    EXPECT_LE(delay, 250000);
  }
  EXPECT_EQ(a, dues(7));
  EXPECT_NE(a, dues(8));
}

TEST(LinkActions, ReorderReleasesAfterNLaterDatagrams) {
  scenario::Scenario sc;
  scenario::Match first;
  first.index = 0;
  sc.rules = {rule("hold-first", scenario::Reorder{2, 500}, first, Direction::c2s)};
  Harness h(sc);
  h.send(Dir::c2s, app(0), 0);
  EXPECT_TRUE(h.drain(0).empty());
  EXPECT_TRUE(h.datagrams().empty()) << "the held datagram's event waits for its delivery time";
  h.send(Dir::s2c, app(9), 10);  // other direction: does not count
  h.send(Dir::c2s, app(1), 20);
  h.send(Dir::c2s, app(2), 30);
  auto out = h.drain(30);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].bytes, app(9));
  EXPECT_EQ(out[1].bytes, app(1));
  EXPECT_EQ(out[2].bytes, app(2));
  EXPECT_EQ(out[3].bytes, app(0)) << "released after two later c2s datagrams";
  auto ds = h.datagrams();
  ASSERT_EQ(ds.size(), 4u);
  EXPECT_EQ(ds[0]->i, 0u);
  EXPECT_EQ(ds[0]->deliveries_us, std::vector<std::int64_t>{30});
  EXPECT_EQ(ds[0]->actions.at(0).action, "reorder");
  EXPECT_EQ(h.link.totals().reordered, 1u);
}

TEST(LinkActions, ReorderReleasesAfterMaxHold) {
  scenario::Scenario sc;
  sc.rules = {rule("hold", scenario::Reorder{3, 40}, {}, Direction::c2s)};
  sc.rules[0].count = 1;
  Harness h(sc);
  h.send(Dir::c2s, app(0), 1000);
  h.send(Dir::c2s, app(1), 2000);
  EXPECT_EQ(h.drain(2000).size(), 1u);
  EXPECT_EQ(h.link.next_due_us(), 41000);
  EXPECT_TRUE(h.drain(40999).empty());
  auto out = h.drain(41000);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes, app(0));
  ASSERT_EQ(h.datagrams().size(), 2u);
  EXPECT_EQ(h.datagrams()[0]->deliveries_us, std::vector<std::int64_t>{41000});
}

TEST(LinkActions, CorruptFlipsTheByteButLogsTheOriginal) {
  scenario::Scenario sc;
  sc.rules = {rule("flip", scenario::Corrupt{13, 0xff})};
  Harness h(sc);
  const auto original = client_hello();
  h.send(Dir::c2s, original, 0);
  auto out = h.drain(0);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes[13], static_cast<std::uint8_t>(original[13] ^ 0xff));
  for (std::size_t k = 0; k < original.size(); ++k)
    if (k != 13) {
      EXPECT_EQ(out[0].bytes[k], original[k]) << k;
    }
  EXPECT_EQ(h.datagrams()[0]->payload, original);
  EXPECT_EQ(h.datagrams()[0]->actions.at(0).detail, "offset 13 xor 0xff: 0x01 -> 0xfe");
  EXPECT_EQ(h.link.totals().corrupted, 1u);
}

TEST(LinkActions, CorruptRandomOffsetIsSeededAndBeyondEndIsLogged) {
  scenario::Scenario sc;
  sc.rules = {rule("flip", scenario::Corrupt{std::nullopt, 0x01})};
  auto changed_at = [&](std::uint64_t seed) {
    Harness h(sc, seed);
    std::vector<std::size_t> out;
    for (int k = 0; k < 20; ++k) {
      h.send(Dir::c2s, app(k, 200), k);
      auto d = h.drain(k).at(0);
      auto orig = app(k, 200);
      for (std::size_t b = 0; b < orig.size(); ++b)
        if (d.bytes[b] != orig[b]) out.push_back(b);
    }
    return out;
  };
  auto a = changed_at(3);
  EXPECT_EQ(a.size(), 20u);
  EXPECT_EQ(a, changed_at(3));
  EXPECT_NE(a, changed_at(4));

  scenario::Scenario far;
  far.rules = {rule("flip", scenario::Corrupt{5000, 0xff})};
  Harness h(far);
  h.send(Dir::c2s, app(0), 0);
  EXPECT_EQ(h.drain(0).at(0).bytes, app(0));
  EXPECT_EQ(h.link.totals().corrupted, 0u);
  EXPECT_EQ(h.datagrams()[0]->actions.at(0).detail, "offset 5000 beyond size 45: unchanged");
}

TEST(LinkActions, MtuCapDropsAboveTheIpMtu) {
  scenario::Scenario sc;
  sc.link.mtu = 576;
  Harness h(sc);
  h.send(Dir::s2c, app(0, 576 - 28 - 13), 0);      // ip_size 576: fits
  h.send(Dir::s2c, app(1, 576 - 28 - 13 + 1), 0);  // ip_size 577: dropped
  EXPECT_EQ(h.drain(0).size(), 1u);
  auto ds = h.datagrams();
  EXPECT_EQ(ds[0]->fate, "forwarded");
  EXPECT_EQ(ds[1]->fate, "dropped");
  ASSERT_EQ(ds[1]->actions.size(), 1u);
  EXPECT_EQ(ds[1]->actions[0].rule, "link");
  EXPECT_EQ(ds[1]->actions[0].action, "mtu");
  EXPECT_EQ(ds[1]->actions[0].detail, "ip_size 577 > mtu 576");
}

TEST(LinkActions, MtuCapRunsAfterRules) {
  scenario::Scenario sc;
  sc.link.mtu = 100;
  sc.rules = {rule("dup", scenario::Duplicate{1, 0})};
  Harness h(sc);
  h.send(Dir::c2s, app(0, 200), 0);
  EXPECT_TRUE(h.drain(0).empty());
  auto& acts = h.datagrams()[0]->actions;
  ASSERT_EQ(acts.size(), 2u);
  EXPECT_EQ(acts[0].action, "duplicate");
  EXPECT_EQ(acts[1].action, "mtu");
  EXPECT_EQ(h.link.totals().duplicated, 0u) << "a duplicate that never left the wire is not counted";
}

TEST(LinkActions, BurstLossMatchesGilbertElliottStatistics) {
  scenario::Scenario sc;
  sc.rules = {rule("bursty", scenario::BurstLoss{0.05, 0.5, 0.0, 1.0})};
  Harness h(sc, 42);
  const int n = 10000;
  for (int k = 0; k < n; ++k) h.send(Dir::c2s, app(k, 8), k);
  int lost = 0, bursts = 0;
  bool prev = false;
  for (auto* d : h.datagrams()) {
    const bool dropped = d->fate == "dropped";
    lost += dropped;
    bursts += dropped && !prev;
    prev = dropped;
  }
  // Stationary loss = p / (p + r) = 0.0909; mean burst length = 1 / r = 2.
  const double rate = double(lost) / n;
  EXPECT_GT(rate, 0.06);
  EXPECT_LT(rate, 0.12);
  ASSERT_GT(bursts, 0);
  const double mean_burst = double(lost) / bursts;
  EXPECT_GT(mean_burst, 1.6);
  EXPECT_LT(mean_burst, 2.5);
}

TEST(LinkActions, SameSeedGivesByteIdenticalLogs) {
  scenario::Scenario sc;
  sc.link.jitter_ms = 3;
  sc.rules = {rule("lossy", scenario::Drop{}), rule("dup", scenario::Duplicate{1, 1}),
              rule("flip", scenario::Corrupt{}), rule("bursty", scenario::BurstLoss{})};
  sc.rules[0].probability = 0.2;
  sc.rules[1].probability = 0.3;
  sc.rules[2].probability = 0.1;
  auto run = [&](std::uint64_t seed) {
    Harness h(sc, seed);
    for (int k = 0; k < 300; ++k) h.send(k % 2 ? Dir::s2c : Dir::c2s, app(k), k * 100);
    h.drain(1'000'000);
    h.link.finish(1'000'000);
    return h.jsonl();
  };
  EXPECT_EQ(run(11), run(11));
  EXPECT_NE(run(11), run(12));
}
