// Link: every match field, and the skip / count / every / probability bookkeeping.
#include <gtest/gtest.h>

#include "harness/wire/link_test_support.hpp"

using namespace wireproof;
using namespace wireproof::wire;
using namespace wireproof::wire::testing;
using scenario::Direction;

namespace {

struct Sent {
  Dir dir;
  Bytes bytes;
  std::int64_t t_us;
};

// A handshake with one retransmitted ClientHello, then application data.
std::vector<Sent> handshake_run() {
  return {{Dir::c2s, client_hello(0), 0},          // 0: flight 1
          {Dir::c2s, client_hello(1), 1000000},    // 1: flight 1, retransmission
          {Dir::s2c, server_flight(0), 1100000},   // 2: flight 2
          {Dir::c2s, client_finish(2), 1200000},   // 3: flight 3, epochs 0 and 1
          {Dir::s2c, app(1, 500), 1300000},        // 4: app data, 513 bytes
          {Dir::c2s, app(2), 1400000}};            // 5: app data
}

// Indices (in send order) of the datagrams a single drop rule dropped.
std::vector<int> dropped_by(scenario::Rule r, std::uint64_t seed = 1) {
  scenario::Scenario sc;
  sc.rules = {std::move(r)};
  Harness h(sc, seed);
  for (const auto& s : handshake_run()) h.send(s.dir, s.bytes, s.t_us);
  std::vector<int> out;
  auto ds = h.datagrams();
  for (std::size_t k = 0; k < ds.size(); ++k)
    if (ds[k]->fate == "dropped") out.push_back(static_cast<int>(k));
  return out;
}

scenario::Rule drop_when(scenario::Match m, Direction dir = Direction::both) {
  return rule("r", scenario::Drop{}, m, dir);
}

using V = std::vector<int>;

}  // namespace

TEST(LinkMatch, EmptyMatchesEverything) { EXPECT_EQ(dropped_by(drop_when({})), (V{0, 1, 2, 3, 4, 5})); }

TEST(LinkMatch, Direction) {
  EXPECT_EQ(dropped_by(drop_when({}, Direction::s2c)), (V{2, 4}));
  EXPECT_EQ(dropped_by(drop_when({}, Direction::c2s)), (V{0, 1, 3, 5}));
}

TEST(LinkMatch, HandshakeType) {
  scenario::Match m;
  m.handshake_type = 14;  // server_hello_done, second record of the server flight
  EXPECT_EQ(dropped_by(drop_when(m)), (V{2}));
  m.handshake_type = 20;  // finished is encrypted: never visible
  EXPECT_EQ(dropped_by(drop_when(m)), V{});
}

TEST(LinkMatch, ContentType) {
  scenario::Match m;
  m.content_type = 20;
  EXPECT_EQ(dropped_by(drop_when(m)), (V{3}));
  m.content_type = 23;
  EXPECT_EQ(dropped_by(drop_when(m)), (V{4, 5}));
}

TEST(LinkMatch, Epoch) {
  scenario::Match m;
  m.epoch = 1;
  EXPECT_EQ(dropped_by(drop_when(m)), (V{3, 4, 5}));
}

TEST(LinkMatch, MessageSeq) {
  scenario::Match m;
  m.message_seq = 1;
  EXPECT_EQ(dropped_by(drop_when(m)), (V{2, 3}));
}

TEST(LinkMatch, FlightAndRetransmission) {
  scenario::Match m;
  m.flight = 1;
  EXPECT_EQ(dropped_by(drop_when(m)), (V{0, 1}));
  m.retransmission = true;
  EXPECT_EQ(dropped_by(drop_when(m)), (V{1}));
  scenario::Match first;
  first.retransmission = false;
  EXPECT_EQ(dropped_by(drop_when(first)), (V{0, 2, 3, 4, 5}));
}

TEST(LinkMatch, IndexCountsTheRulesDirections) {
  scenario::Match m;
  m.index = 1;
  EXPECT_EQ(dropped_by(drop_when(m, Direction::c2s)), (V{1}));
  EXPECT_EQ(dropped_by(drop_when(m, Direction::s2c)), (V{4}));
  EXPECT_EQ(dropped_by(drop_when(m, Direction::both)), (V{1}));
  m.index = 3;
  EXPECT_EQ(dropped_by(drop_when(m, Direction::c2s)), (V{5}));
}

TEST(LinkMatch, IndexIgnoresEarlierDrops) {
  scenario::Scenario sc;
  scenario::Match zero, one;
  zero.index = 0;
  one.index = 1;
  sc.rules = {rule("a", scenario::Drop{}, zero), rule("b", scenario::Drop{}, one)};
  Harness h(sc);
  for (int k = 0; k < 3; ++k) h.send(Dir::c2s, app(k), k);
  auto ds = h.datagrams();
  EXPECT_EQ(ds[0]->fate, "dropped");
  EXPECT_EQ(ds[1]->fate, "dropped");
  EXPECT_EQ(ds[2]->fate, "forwarded");
}

TEST(LinkMatch, SizeBounds) {
  scenario::Match m;
  m.size_min = 513;
  EXPECT_EQ(dropped_by(drop_when(m)), (V{4}));
  m.size_min = 514;
  EXPECT_EQ(dropped_by(drop_when(m)), V{});
  scenario::Match small;
  small.size_max = 45;  // app(2) is exactly 45 bytes
  EXPECT_EQ(dropped_by(drop_when(small)), (V{5}));
}

TEST(LinkMatch, TimeWindowIsInclusiveExclusive) {
  scenario::Match m;
  m.from_ms = 1000;
  m.to_ms = 1200;
  EXPECT_EQ(dropped_by(drop_when(m)), (V{1, 2}));
}

TEST(LinkBookkeeping, SkipAndCount) {
  auto r = drop_when({});
  r.skip = 1;
  r.count = 2;
  EXPECT_EQ(dropped_by(r), (V{1, 2}));
}

TEST(LinkBookkeeping, EveryNthMatchAfterSkip) {
  auto r = drop_when({});
  r.every = 2;
  EXPECT_EQ(dropped_by(r), (V{1, 3, 5}));
  r.skip = 1;
  EXPECT_EQ(dropped_by(r), (V{2, 4}));
  r.count = 1;
  EXPECT_EQ(dropped_by(r), (V{2}));
}

TEST(LinkBookkeeping, CountSpansBothDirectionsOfOneRule) {
  auto r = drop_when({});
  r.count = 3;
  EXPECT_EQ(dropped_by(r), (V{0, 1, 2}));
}

TEST(LinkBookkeeping, ProbabilityIsSeededAndRoughlyRight) {
  scenario::Scenario sc;
  sc.rules = {drop_when({})};
  sc.rules[0].probability = 0.3;
  auto fates = [&](std::uint64_t seed) {
    Harness h(sc, seed);
    for (int k = 0; k < 2000; ++k) h.send(Dir::c2s, app(k, 8), k);
    std::vector<bool> out;
    for (auto* d : h.datagrams()) out.push_back(d->fate == "dropped");
    return out;
  };
  auto a = fates(5);
  EXPECT_EQ(a, fates(5));
  EXPECT_NE(a, fates(6));
  const auto lost = std::count(a.begin(), a.end(), true);
  EXPECT_GT(lost, 500);
  EXPECT_LT(lost, 700);
}

TEST(LinkBookkeeping, ProbabilityZeroNeverActs) {
  auto r = drop_when({});
  r.probability = 0.0;
  EXPECT_EQ(dropped_by(r), V{});
}
