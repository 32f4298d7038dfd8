// Misbehaviour switches (protocol_bugs.hpp): each breaks its one rule, on virtual time.
#include <gtest/gtest.h>

#include <algorithm>

#include "impl/dtls/protocol_bugs.hpp"
#include "impl/dtls/lost_final_flight.hpp"

namespace wd = wireproof::dtls;
namespace wc = wireproof::crypto;
using wd::testing::client_cfg;
using wd::testing::Dir;
using wd::testing::first_hs_type;
using wd::testing::has_epoch;
using wd::testing::LostFinalFlight;
using wd::testing::MemoryLink;
using wd::testing::Sent;
using wd::testing::server_cfg;
using namespace std::chrono_literals;

namespace {

wd::ConnectionConfig buggy(wd::ConnectionConfig c, std::string_view bug) {
  c.initial_timer = 100ms;
  EXPECT_TRUE(wd::set_protocol_bug(c.bugs, bug)) << bug;
  return c;
}

// Gaps between the client's ClientHellos when the server never answers.
std::vector<wd::Time> unanswered_gaps(wd::ConnectionConfig cc) {
  cc.max_retransmissions = 3;
  MemoryLink link(std::move(cc), server_cfg());
  link.drop = [](const Sent& s) { return s.dir == Dir::c2s; };
  link.run_until([&] { return link.client->state() == wd::State::failed; }, 10s);
  auto c2s = link.sent(Dir::c2s);
  std::vector<wd::Time> gaps;
  for (std::size_t i = 1; i < c2s.size(); ++i)
    if (first_hs_type(*c2s[i]) == 1) gaps.push_back(c2s[i]->at - c2s[i - 1]->at);
  return gaps;
}

// (epoch, sequence number) of a datagram's last record.
std::pair<std::uint16_t, std::uint64_t> last_record(const wc::Bytes& d) {
  wireproof::bytes::Reader r(d);
  wd::RecordHeader h;
  std::span<const std::uint8_t> f;
  while (!r.empty()) EXPECT_TRUE(wd::read_record(r, h, f));
  return {h.epoch, h.seq};
}

}  // namespace

TEST(ProtocolBugs, EveryNameSetsASwitchAndUnknownNamesAreRefused) {
  EXPECT_EQ(wd::protocol_bug_names().size(), 11u);
  EXPECT_EQ(wd::protocol_bug_names().back(), "backoff-1.5x");
  for (auto name : wd::protocol_bug_names()) {
    wd::ProtocolBugs b;
    EXPECT_TRUE(wd::set_protocol_bug(b, name)) << name;
  }
  wd::ProtocolBugs b;
  EXPECT_FALSE(wd::set_protocol_bug(b, "no-such-bug"));
}

TEST(ProtocolBugs, NoBackoffKeepsTheInitialTimer) {
  EXPECT_EQ(unanswered_gaps(buggy(client_cfg(), "no-backoff")), (std::vector<wd::Time>{100ms, 100ms, 100ms}));
}

TEST(ProtocolBugs, EarlyRetransmitFiresAtHalfTheTimer) {
  EXPECT_EQ(unanswered_gaps(buggy(client_cfg(), "early-retransmit")), (std::vector<wd::Time>{50ms, 100ms, 200ms}));
}

TEST(ProtocolBugs, WrongInitialTimerStartsAtOneSecondWhatever100MsSays) {
  EXPECT_EQ(unanswered_gaps(buggy(client_cfg(), "wrong-initial-timer")), (std::vector<wd::Time>{1s, 2s, 4s}));
}

TEST(ProtocolBugs, Backoff15xGrowsByHalfInsteadOfDoubling) {
  EXPECT_EQ(unanswered_gaps(buggy(client_cfg(), "backoff-1.5x")), (std::vector<wd::Time>{100ms, 150ms, 225ms}));
}

TEST(ProtocolBugs, RecordSpansDatagramsSplitsTheFirstApplicationRecord) {
  MemoryLink link(buggy(client_cfg(), "record-spans-datagrams"), server_cfg());
  ASSERT_TRUE(link.run_until_established(10s)) << link.client->error() << link.server->error();
  ASSERT_TRUE(link.client->send_app(wc::Bytes(100, 7)));
  auto out = link.client->pull_datagrams();
  ASSERT_EQ(out.size(), 2u);
  wireproof::bytes::Reader r(out[0]);
  wd::RecordHeader h;
  std::span<const std::uint8_t> f;
  EXPECT_FALSE(wd::read_record(r, h, f));  // the header promises more than the datagram holds
  EXPECT_EQ(out[0].size() + out[1].size(), 13u + 8u + 100u + 16u);
  ASSERT_TRUE(link.client->send_app(wc::Bytes(100, 7)));
  EXPECT_EQ(link.client->pull_datagrams().size(), 1u);  // later records are whole
}

TEST(ProtocolBugs, DuplicateAppDataIsDeliveredTwice) {
  MemoryLink link(buggy(client_cfg(), "duplicate-app-data"), server_cfg());
  ASSERT_TRUE(link.run_until_established(10s));
  ASSERT_TRUE(link.client->send_app(wc::Bytes{1, 2, 3}));
  link.run_for(10ms);
  EXPECT_TRUE(link.server->recv_app());
  EXPECT_TRUE(link.server->recv_app());  // a distinct sequence number: replay detection cannot help
}

TEST(ProtocolBugs, ReuseSequenceNumberRepeatsThePreviousRecordsNumber) {
  MemoryLink link(buggy(client_cfg(), "reuse-sequence-number"), server_cfg());
  ASSERT_TRUE(link.run_until_established(10s));
  const auto finished = last_record(link.sent(Dir::c2s).back()->data);  // the Finished record
  ASSERT_EQ(finished.first, 1);
  ASSERT_TRUE(link.client->send_app(wc::Bytes{1, 2, 3}));
  link.run_for(10ms);
  EXPECT_EQ(last_record(link.sent(Dir::c2s).back()->data), finished);
  EXPECT_FALSE(link.server->recv_app());  // dropped as a replay
}

TEST(ProtocolBugs, NoCookieEchoKeepsTheServerAtHelloVerifyRequest) {
  MemoryLink link(buggy(client_cfg(), "no-cookie-echo"), server_cfg());
  EXPECT_FALSE(link.run_until_established(2s));
  EXPECT_FALSE(link.server->hello_accepted());
}

TEST(ProtocolBugs, WithoutIgnoreFinalRetransmitTheServerResendsItsFinalFlight) {
  LostFinalFlight t(server_cfg());
  ASSERT_EQ(t.link.client->state(), wd::State::handshaking);
  auto flight6 = t.client_retransmits();
  ASSERT_FALSE(flight6.empty());
  EXPECT_TRUE(std::any_of(flight6.begin(), flight6.end(), [](const wc::Bytes& d) { return has_epoch(d, 1); }));
  for (const auto& d : flight6) t.link.client->feed(d, t.now);
  EXPECT_TRUE(t.link.client->handshake_done()) << t.link.client->error();
}

TEST(ProtocolBugs, IgnoreFinalRetransmitLeavesTheClientWaiting) {
  LostFinalFlight t(buggy(server_cfg(), "ignore-final-retransmit"));
  EXPECT_EQ(t.link.server->state(), wd::State::established);
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(t.client_retransmits().empty()) << "retransmission " << i;
    EXPECT_EQ(t.link.client->state(), wd::State::handshaking);
  }
  EXPECT_FALSE(t.link.client->handshake_done());
  EXPECT_EQ(t.link.server->state(), wd::State::established);  // no alert, nothing else changes
  EXPECT_TRUE(t.link.server->take_alerts().empty());
}
