// The finished server's answer to a repeated last flight (RFC 6347 4.2.4): it resends its
// final flight only when the client repeats its Finished, which is authenticated, never for
// forgeable plaintext fragments; any datagram of the repeat may be the one that arrives;
// answers are rate-limited and capped. OpenSSL (dtls1_read_bytes) keys on the same
// thing; GnuTLS (record_check_type) on any protected handshake record.
#include <gtest/gtest.h>

#include "impl/dtls/lost_final_flight.hpp"

namespace wd = wireproof::dtls;
namespace wc = wireproof::crypto;
using wd::testing::client_cfg;
using wd::testing::has_epoch;
using wd::testing::LostFinalFlight;
using wd::testing::records_of;
using wd::testing::server_cfg;
using namespace std::chrono_literals;

namespace {

// The records of a flight-5 copy in one epoch, each as a datagram of its own.
std::vector<wc::Bytes> records_in_epoch(const std::vector<wc::Bytes>& flight, std::uint16_t epoch) {
  std::vector<wc::Bytes> out;
  for (const auto& d : flight)
    for (auto& r : records_of(d))
      if (has_epoch(r, epoch)) out.push_back(std::move(r));
  return out;
}

// Rewrites a record's 48-bit sequence number (bytes 5..10 of its header).
wc::Bytes with_record_seq(wc::Bytes rec, std::uint64_t seq) {
  for (int i = 0; i < 6; ++i) rec[5 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(seq >> (8 * (5 - i)));
  return rec;
}

}  // namespace

TEST(FinalFlight, ForgedPlaintextFragmentsOfTheClientFlightGetNoAnswer) {
  // Anyone can send the client's epoch-0 ClientKeyExchange record again (with a fresh record
  // number). Before the fix, every copy made the finished server resend its final flight.
  LostFinalFlight t(server_cfg());
  auto plaintext = records_in_epoch(t.client_timer_fires(), 0);
  ASSERT_FALSE(plaintext.empty());
  for (std::uint64_t i = 0; i < 5; ++i)
    EXPECT_TRUE(t.server_gets({with_record_seq(plaintext.front(), 1000 + i)}, 1s).empty()) << "copy " << i;
  EXPECT_EQ(t.link.server->stats().retransmits_on_peer, 0);
}

TEST(FinalFlight, TheRepeatedFinishedAloneIsAnswered) {
  // The datagram holding the start of the client's flight (ClientKeyExchange) is lost; only
  // its Finished arrives. Before the fix the server keyed on that first fragment and stayed silent.
  LostFinalFlight t(server_cfg());
  auto finished = records_in_epoch(t.client_timer_fires(), 1);
  ASSERT_EQ(finished.size(), 1u);
  auto answer = t.server_gets(finished);
  ASSERT_FALSE(answer.empty());
  for (const auto& d : answer) t.link.client->feed(d, t.now);
  EXPECT_TRUE(t.link.client->handshake_done()) << t.link.client->error();
}

TEST(FinalFlight, AnswersAreRateLimitedToOnePerHalfTimer) {
  LostFinalFlight t(server_cfg());  // initial timer 1 s
  std::vector<std::vector<wc::Bytes>> copies;
  for (int i = 0; i < 4; ++i) copies.push_back(t.client_timer_fires());
  // Three authentic copies reach the server within 3 ms (a link that held them back):
  // one answer, not three. Before the fix each was answered.
  EXPECT_FALSE(t.server_gets(copies[0]).empty());
  EXPECT_TRUE(t.server_gets(copies[1]).empty());
  EXPECT_TRUE(t.server_gets(copies[2]).empty());
  EXPECT_EQ(t.link.server->stats().retransmits_on_peer, 1);
  EXPECT_EQ(t.link.server->stats().final_requests_ignored, 2);
  // Half a timer after the answer, the next copy is answered again.
  EXPECT_FALSE(t.server_gets(copies[3], 498ms).empty());
  EXPECT_EQ(t.link.server->stats().retransmits_on_peer, 2);
}

TEST(FinalFlight, AnswersStopAfterMaxRetransmissions) {
  auto sc = server_cfg();
  sc.max_retransmissions = 3;
  auto cc = client_cfg();
  cc.max_retransmissions = 10;
  LostFinalFlight t(sc, cc);
  int answered = 0;
  for (int i = 0; i < 5; ++i) answered += !t.server_gets(t.client_timer_fires(), 1s).empty();
  EXPECT_EQ(answered, 3);
  EXPECT_EQ(t.link.server->stats().final_requests_ignored, 2);
  EXPECT_EQ(t.link.server->state(), wd::State::established);  // the connection itself is kept
}
