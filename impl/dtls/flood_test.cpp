// Handshake fragment floods: thousands of forged epoch-0 fragments (many message_seq
// values, huge declared lengths, overlapping, duplicate, tiny and disjoint, old and
// far-ahead sequence numbers) never make a connection buffer more than
// max_handshake_memory of handshake bytes, nor track more than kWindow * kMaxRanges
// ranges; a handshake the flood could not legitimately disturb still completes, and a
// forged fragment that must be refused is discarded silently (RFC 6347 4.1.2.7).
#include <gtest/gtest.h>

#include <random>

#include "impl/dtls/forged_records.hpp"
#include "impl/dtls/test_configs.hpp"

namespace wd = wireproof::dtls;
namespace wc = wireproof::crypto;
using wd::testing::client_cfg;
using wd::testing::forged_datagrams;
using wd::testing::Frag;
using wd::testing::MemoryLink;
using wd::testing::server_cfg;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kBound = 8 * 1024;

// A flood aimed at a connection expecting message_seq `next`; `spare` is the first
// in-window message_seq the real peer will never use. Deterministic (seeded).
std::vector<Frag> make_flood(std::uint16_t next, std::uint16_t spare, int count, std::uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](std::uint32_t lo, std::uint32_t hi) { return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng); };
  // One (type, length) per in-window spare seq so those fragments are consistent with each other.
  std::map<std::uint16_t, std::pair<std::uint8_t, std::uint32_t>> spare_msgs;
  for (std::uint16_t s = spare; s < next + wd::Reassembler::kWindow; ++s)
    spare_msgs[s] = {static_cast<std::uint8_t>(pick(0, 255)), pick(kBound / 4, kBound)};  // together far above the bound
  std::vector<Frag> out;
  auto frag_in = [&](std::uint8_t type, std::uint32_t length, std::uint16_t seq) {
    std::uint32_t off = length ? pick(0, length - 1) : 0;
    std::uint32_t len = std::min<std::uint32_t>(pick(0, 24), length - off);
    return Frag{type, length, seq, off, len};
  };
  for (int i = 0; i < count; ++i) {
    switch (pick(0, 4)) {
      case 0: {  // old message_seq (already delivered), any declared length up to 2^24-1
        auto seq = static_cast<std::uint16_t>(next - 1 - pick(0, 200));
        out.push_back(frag_in(static_cast<std::uint8_t>(pick(0, 255)), pick(1, 0xffffff), seq));
        break;
      }
      case 1: {  // beyond the window, up to half the sequence space ahead, huge declared lengths
        auto seq = static_cast<std::uint16_t>(next + wd::Reassembler::kWindow + pick(0, 0x7fff - wd::Reassembler::kWindow));
        out.push_back(frag_in(static_cast<std::uint8_t>(pick(0, 255)), pick(1, 0xffffff), seq));
        break;
      }
      default: {  // in the window: large consistent messages, tiny overlapping/disjoint fragments
        auto seq = static_cast<std::uint16_t>(pick(spare, next + wd::Reassembler::kWindow - 1));
        auto [type, length] = spare_msgs[seq];
        Frag f = frag_in(type, length, seq);
        out.push_back(f);
        if (pick(0, 3) == 0) out.push_back(f);  // exact duplicate
        break;
      }
    }
  }
  return out;
}

// Feeds the flood, checking the bound after every datagram; returns the peak.
std::size_t feed_flood(wd::Connection& c, const std::vector<wc::Bytes>& flood, wd::Time now) {
  std::size_t peak = 0;
  for (const auto& d : flood) {
    c.feed(d, now);
    peak = std::max(peak, c.buffered_handshake_bytes());
    EXPECT_LE(c.buffered_handshake_bytes(), kBound);
    EXPECT_LE(c.reassembler().ranges_in_use(), std::size_t{wd::Reassembler::kWindow} * wd::Reassembler::kMaxRanges);
    EXPECT_LE(c.reassembler().partial_messages(), std::size_t{wd::Reassembler::kWindow});
  }
  return peak;
}

wd::ConnectionConfig bounded(wd::ConnectionConfig c) {
  c.max_handshake_memory = kBound;
  return c;
}

}  // namespace

TEST(Flood, ServerAndClientMidHandshakeStayBoundedAndStillComplete) {
  MemoryLink link(bounded(client_cfg()), bounded(server_cfg()));
  // Stop right after the server accepted the cookie and sent flight 4: the server now
  // waits for the client's flight 5, the client for flight 4 (in flight on the link).
  ASSERT_TRUE(link.run_until([&] { return link.server->hello_accepted(); }, 5s));
  ASSERT_EQ(link.server->state(), wd::State::handshaking);
  ASSERT_EQ(link.client->state(), wd::State::handshaking);

  // Server: expects message_seq 2 (ClientKeyExchange), then 3 (Finished).
  const auto sn = link.server->reassembler().next_seq();
  auto sflood = make_flood(sn, static_cast<std::uint16_t>(sn + 6), 6000, 1);
  // Record sequence numbers 40.. keep the client's own (low) numbers inside the replay window.
  std::size_t speak = feed_flood(*link.server, forged_datagrams(sflood, 40), link.now);
  EXPECT_GT(speak, kBound / 2);  // the flood did fill the reassembly buffer...
  EXPECT_EQ(link.server->state(), wd::State::handshaking) << link.server->error();

  // Client: expects 1..4 (flight 4), then 5 (Finished).
  const auto cn = link.client->reassembler().next_seq();
  auto cflood = make_flood(cn, static_cast<std::uint16_t>(cn + 6), 6000, 2);
  std::size_t cpeak = feed_flood(*link.client, forged_datagrams(cflood, 40), link.now);
  EXPECT_GT(cpeak, kBound / 2);
  EXPECT_EQ(link.client->state(), wd::State::handshaking) << link.client->error();

  // ...and the real handshake still completes: the messages needed next evict the flood.
  link.collect();  // old-seq noise may have made either side resend its flight
  ASSERT_TRUE(link.run_until_established(30s)) << link.client->error() << " / " << link.server->error();
  EXPECT_LE(link.server->buffered_handshake_bytes(), kBound);
  EXPECT_LE(link.client->buffered_handshake_bytes(), kBound);
  ASSERT_TRUE(link.client->send_app(wc::as_bytes("after the flood")));
  link.collect();
  link.run_for(10ms);
  EXPECT_EQ(link.server->recv_app(), wc::Bytes(wc::as_bytes("after the flood").begin(), wc::as_bytes("after the flood").end()));
}

TEST(Flood, StatelessServerBuffersNothingBeforeTheCookie) {
  MemoryLink link(bounded(client_cfg()), bounded(server_cfg()));
  auto flood = forged_datagrams(make_flood(0, 6, 4000, 3), 40);
  for (const auto& d : flood) {
    link.server->feed(d, 0s);
    ASSERT_EQ(link.server->buffered_handshake_bytes(), 0u);
  }
  EXPECT_FALSE(link.server->hello_accepted());
  ASSERT_TRUE(link.run_until_established(30s)) << link.client->error() << " / " << link.server->error();
}

TEST(Flood, DisjointTinyFragmentsAreCappedPerMessage) {
  // One message, declared length at the bound, fed 1-byte fragments at every other offset:
  // bytes stay within the bound by construction; the range list must stay capped too.
  wd::Reassembler ra(kBound);
  std::size_t accepted = 0;
  for (std::uint32_t off = 0; off < kBound; off += 2) {
    const std::uint8_t b = 0;
    if (ra.add({1, kBound, 0, off, 1}, wc::ByteView(&b, 1)) == wd::Reassembler::Outcome::accepted) ++accepted;
    ASSERT_LE(ra.ranges_in_use(), wd::Reassembler::kMaxRanges);
  }
  EXPECT_EQ(accepted, wd::Reassembler::kMaxRanges);
  // Filling between and next to existing ranges is still accepted, and completes the message.
  std::vector<std::uint8_t> all(kBound, 7);
  EXPECT_EQ(ra.add({1, kBound, 0, 0, kBound}, all), wd::Reassembler::Outcome::accepted);
  auto m = ra.next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->body.size(), kBound);
}

TEST(Flood, OversizedForgedFragmentInTheWindowIsDiscardedSilently) {
  // Before issue 8 this failed the connection (illegal_parameter): a forged plaintext
  // fragment could abort any handshake. RFC 6347 4.1.2.7: discard it.
  MemoryLink link(bounded(client_cfg()), bounded(server_cfg()));
  ASSERT_TRUE(link.run_until([&] { return link.server->hello_accepted(); }, 5s));
  const auto sn = link.server->reassembler().next_seq();
  // First noise (bounded), then one fragment that declares more than the bound.
  feed_flood(*link.server, forged_datagrams(make_flood(sn, static_cast<std::uint16_t>(sn + 6), 2000, 4), 40), link.now);
  (void)link.server->take_alerts();
  (void)link.server->pull_datagrams();
  const int discarded = link.server->stats().discarded_fragments;
  auto bad = forged_datagrams({{16, static_cast<std::uint32_t>(kBound + 1), sn, 0, 8}}, 60);
  link.server->feed(bad[0], link.now);
  EXPECT_EQ(link.server->state(), wd::State::handshaking) << link.server->error();
  EXPECT_EQ(link.server->stats().discarded_fragments, discarded + 1);
  EXPECT_LE(link.server->buffered_handshake_bytes(), kBound);
  EXPECT_TRUE(link.server->take_alerts().empty());
  ASSERT_TRUE(link.run_until_established(30s)) << link.client->error() << " / " << link.server->error();
}
