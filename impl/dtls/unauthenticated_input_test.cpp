// Forged plaintext (epoch-0) input: anyone on the path can send it, so it may be dropped
// but must never end a handshake or lock the genuine peer out (RFC 6347 4.1.2.7: invalid
// records SHOULD be discarded silently). Each test failed before issue 8's fix.
#include <gtest/gtest.h>

#include "impl/dtls/forged_records.hpp"
#include "impl/dtls/test_configs.hpp"

namespace wd = wireproof::dtls;
namespace wc = wireproof::crypto;
using wd::testing::client_cfg;
using wd::testing::forged_datagrams;
using wd::testing::forged_record;
using wd::testing::MemoryLink;
using wd::testing::server_cfg;
using namespace std::chrono_literals;

namespace {

// A link whose server has accepted the cookie-bearing ClientHello and sent flight 4:
// it now expects the client's flight 5, in epoch 0 up to its ChangeCipherSpec.
struct ServerAwaitingFlight5 {
  MemoryLink link{client_cfg(), server_cfg()};
  ServerAwaitingFlight5() { EXPECT_TRUE(link.run_until([&] { return link.server->hello_accepted(); }, 5s)); }
  void forge(const wc::Bytes& datagram) {
    link.server->feed(datagram, link.now);
    EXPECT_EQ(link.server->state(), wd::State::handshaking) << link.server->error();
    EXPECT_TRUE(link.server->take_alerts().empty());
  }
  bool completes() { return link.run_until_established(30s); }
};

}  // namespace

TEST(UnauthenticatedInput, MalformedFragmentIsDiscardedNotFatal) {
  ServerAwaitingFlight5 t;
  const wc::Bytes truncated_header = {16, 0, 0, 50, 0};  // 5 of a handshake header's 12 bytes
  t.forge(forged_record(wd::ContentType::handshake, truncated_header, 500));
  EXPECT_EQ(t.link.server->stats().discarded_fragments, 1);
  EXPECT_TRUE(t.completes()) << t.link.client->error() << " / " << t.link.server->error();
}

TEST(UnauthenticatedInput, MalformedDatagramDoesNotKillAListeningServer) {
  // Before any ClientHello: the stateless server must keep listening.
  MemoryLink link(client_cfg(), server_cfg());
  link.server->feed(forged_record(wd::ContentType::handshake, wc::Bytes{1, 0, 0}, 0), 0us);
  EXPECT_NE(link.server->state(), wd::State::failed) << link.server->error();
  EXPECT_TRUE(link.server->take_alerts().empty());
  EXPECT_TRUE(link.run_until_established(30s)) << link.client->error() << " / " << link.server->error();
}

TEST(UnauthenticatedInput, InconsistentForgedFragmentCannotPoisonTheMessage) {
  // A forged first fragment of the next message (ClientKeyExchange, message_seq 2) with a
  // made-up length: the genuine fragments disagree with it. Neither is trusted: the
  // disagreeing one is dropped and the partial message forgotten, so the client's
  // retransmission rebuilds it.
  ServerAwaitingFlight5 t;
  const auto next = t.link.server->reassembler().next_seq();
  t.forge(forged_datagrams({{16, 50, next, 0, 10}}, 500)[0]);
  EXPECT_TRUE(t.completes()) << t.link.client->error() << " / " << t.link.server->error();
  EXPECT_GE(t.link.server->stats().discarded_fragments, 1);
}

TEST(UnauthenticatedInput, ForgedRecordNumbered2To48Minus1DoesNotLockOutEpoch0) {
  // One forged epoch-0 record with the highest sequence number. Had it moved the replay
  // window, every genuine epoch-0 record (flight 5's ClientKeyExchange) would be "too old".
  ServerAwaitingFlight5 t;
  t.forge(forged_record(wd::ContentType::change_cipher_spec, wc::Bytes{1}, wd::kMaxSeq));  // ignored, but numbered
  EXPECT_TRUE(t.completes()) << t.link.client->error() << " / " << t.link.server->error();
}

TEST(UnauthenticatedInput, ForgedHighRecordNumberDoesNotLockOutTheClientEither) {
  MemoryLink link(client_cfg(), server_cfg());
  link.client->start(0us);
  link.client->feed(forged_record(wd::ContentType::change_cipher_spec, wc::Bytes{1}, wd::kMaxSeq), 0us);
  EXPECT_TRUE(link.run_until_established(30s)) << link.client->error() << " / " << link.server->error();
}
