// Reference client <-> reference server over an in-memory link on virtual time.
#include <gtest/gtest.h>

#include "impl/dtls/test_configs.hpp"

namespace wd = wireproof::dtls;
namespace wc = wireproof::crypto;
using wd::testing::client_cfg;
using wd::testing::Dir;
using wd::testing::first_hs_type;
using wd::testing::MemoryLink;
using wd::testing::Sent;
using wd::testing::server_cfg;
using namespace std::chrono_literals;

TEST(Connection, FullHandshakeWithCookieAndAppData) {
  MemoryLink link(client_cfg(), server_cfg());
  ASSERT_TRUE(link.run_until_established(10s)) << link.client->error() << " / " << link.server->error();
  EXPECT_STREQ(link.client->cipher_suite()->name, "ECDHE-ECDSA-AES128-GCM-SHA256");
  EXPECT_TRUE(link.client->handshake().ems());
  EXPECT_TRUE(link.client->handshake().peer_authenticated());
  auto c2s = link.sent(Dir::c2s);
  auto s2c = link.sent(Dir::s2c);
  // Flights: CH, HVR, CH+cookie, server flight 4, client flight 5, server flight 6.
  ASSERT_GE(c2s.size(), 3u);
  ASSERT_GE(s2c.size(), 3u);
  EXPECT_EQ(first_hs_type(*c2s[0]), 1);
  EXPECT_EQ(first_hs_type(*s2c[0]), 3);
  EXPECT_EQ(first_hs_type(*c2s[1]), 1);
  EXPECT_EQ(first_hs_type(*s2c[1]), 2);
  // HelloVerifyRequest reuses the ClientHello's record sequence number (RFC 6347 4.2.1).
  EXPECT_TRUE(std::equal(c2s[0]->data.begin() + 3, c2s[0]->data.begin() + 11, s2c[0]->data.begin() + 3));
  EXPECT_EQ(link.client->stats().retransmissions, 0);

  auto hello = wc::as_bytes("ping");
  ASSERT_TRUE(link.client->send_app(hello));
  link.collect();
  link.run_for(10ms);
  auto got = link.server->recv_app();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, wc::Bytes(hello.begin(), hello.end()));
  ASSERT_TRUE(link.server->send_app(*got));
  link.collect();
  link.run_for(10ms);
  EXPECT_EQ(link.client->recv_app(), wc::Bytes(hello.begin(), hello.end()));
  EXPECT_FALSE(link.client->recv_app());
}

TEST(Connection, EachSuiteAndGroupCompletes) {
  for (std::uint16_t suite : {0xc02b, 0xc02c, 0xcca9}) {
    for (auto group : {wc::Group::x25519, wc::Group::secp256r1}) {
      auto cc = client_cfg();
      cc.handshake.cipher_suites = {suite};
      cc.handshake.groups = {group};
      MemoryLink link(cc, server_cfg());
      ASSERT_TRUE(link.run_until_established(10s)) << suite << " " << link.client->error() << link.server->error();
      EXPECT_EQ(link.server->cipher_suite()->code, suite);
      ASSERT_TRUE(link.client->send_app(wc::as_bytes("x")));
      link.collect();
      link.run_for(10ms);
      EXPECT_TRUE(link.server->recv_app());
    }
  }
}

TEST(Connection, LostServerFlightIsRetransmittedAfterTimer) {
  MemoryLink link(client_cfg(), server_cfg());
  // s2c #1 is the first copy of flight 4 (after the HelloVerifyRequest).
  link.drop = [](const Sent& s) { return s.dir == Dir::s2c && s.index_in_dir == 1; };
  ASSERT_TRUE(link.run_until_established(10s)) << link.client->error();
  auto c2s = link.sent(Dir::c2s);
  // c2s[1] = ClientHello with cookie at 2 ms; its retransmission exactly 1 s later.
  ASSERT_GE(c2s.size(), 3u);
  EXPECT_EQ(first_hs_type(*c2s[1]), 1);
  EXPECT_EQ(first_hs_type(*c2s[2]), 1);
  EXPECT_EQ(c2s[2]->at - c2s[1]->at, 1s);
  EXPECT_EQ(link.client->stats().retransmissions, 1);
  // The server resent flight 4 because the client resent its hello (RFC 6347 4.2.4).
  EXPECT_EQ(link.server->stats().retransmits_on_peer, 1);
  EXPECT_EQ(link.server->stats().retransmissions, 0);
}

TEST(Connection, TimerDoublesUpToCapThenGivesUp) {
  auto cc = client_cfg();
  cc.max_timer = 4s;
  cc.max_retransmissions = 5;
  cc.mtu_fallback_after = 0;
  MemoryLink link(cc, server_cfg());
  link.drop = [](const Sent& s) { return s.dir == Dir::c2s; };  // the server never hears anything
  link.run_until([&] { return link.client->state() == wd::State::failed; }, 60s);
  ASSERT_EQ(link.client->state(), wd::State::failed);
  auto c2s = link.sent(Dir::c2s);
  std::vector<wd::Time> gaps;
  for (std::size_t i = 1; i < c2s.size(); ++i)
    if (first_hs_type(*c2s[i]) == 1) gaps.push_back(c2s[i]->at - c2s[i - 1]->at);
  EXPECT_EQ(gaps, (std::vector<wd::Time>{1s, 2s, 4s, 4s, 4s}));
  EXPECT_NE(link.client->error().find("retransmissions"), std::string::npos);
  auto alerts = link.client->take_alerts();
  ASSERT_FALSE(alerts.empty());
  EXPECT_TRUE(alerts.back().sent);
}

TEST(Connection, LostFinalFlightRecoveredByClientTimer) {
  MemoryLink link(client_cfg(), server_cfg());
  // s2c: #0 HVR, #1 flight 4, #2 flight 6 (CCS + Finished): drop the first copy of flight 6.
  link.drop = [](const Sent& s) { return s.dir == Dir::s2c && s.index_in_dir == 2; };
  ASSERT_TRUE(link.run_until_established(10s)) << link.client->error();
  EXPECT_EQ(link.client->stats().retransmissions, 1);
  EXPECT_EQ(link.server->stats().retransmits_on_peer, 1);
}

TEST(Connection, SmallMtuFragmentsEveryDatagram) {
  auto cc = client_cfg();
  auto sc = server_cfg();
  cc.mtu = sc.mtu = 220;
  cc.fallback_mtu = sc.fallback_mtu = 220;
  MemoryLink link(cc, sc);
  ASSERT_TRUE(link.run_until_established(10s)) << link.client->error() << link.server->error();
  std::size_t max_size = 0;
  for (const auto& s : link.log) max_size = std::max(max_size, s.data.size());
  EXPECT_LE(max_size, 220u - 28u);
  EXPECT_GT(link.sent(Dir::s2c).size(), 5u);  // flight 4 needed several datagrams
  EXPECT_EQ(link.client->max_application_datagram_size(), 220u - 28u - 13u - 8u - 16u);
  EXPECT_TRUE(link.client->send_app(wc::Bytes(link.client->max_application_datagram_size(), 1)));
  EXPECT_FALSE(link.client->send_app(wc::Bytes(link.client->max_application_datagram_size() + 1, 1)));
}

TEST(Connection, FallsBackToSmallerMtuAfterUnansweredRetransmissions) {
  auto sc = server_cfg();
  sc.mtu = 1500;
  sc.fallback_mtu = 576;
  MemoryLink link(client_cfg(), sc);
  // The path carries at most 576-byte IP packets but the server believes 1500.
  link.drop = [](const Sent& s) { return s.data.size() + 28 > 576; };
  ASSERT_TRUE(link.run_until_established(30s)) << link.client->error() << link.server->error();
  EXPECT_EQ(link.server->stats().current_mtu, 576u);
  bool any_big = false;
  for (auto* s : link.sent(Dir::s2c)) any_big = any_big || s->dropped;
  EXPECT_TRUE(any_big);
}

TEST(Connection, ForgedRecordsAreDiscardedSilently) {
  MemoryLink link(client_cfg(), server_cfg());
  ASSERT_TRUE(link.run_until_established(10s));
  ASSERT_TRUE(link.client->send_app(wc::as_bytes("data")));
  auto d = link.client->pull_datagrams();
  ASSERT_EQ(d.size(), 1u);
  auto bad = d[0];
  bad.back() ^= 1;
  link.server->feed(bad, link.now);
  EXPECT_FALSE(link.server->recv_app());
  EXPECT_EQ(link.server->record_stats().auth_failures, 1u);
  EXPECT_EQ(link.server->state(), wd::State::established);
  link.server->feed(d[0], link.now);
  EXPECT_TRUE(link.server->recv_app());
  link.server->feed(d[0], link.now);  // replay
  EXPECT_FALSE(link.server->recv_app());
  EXPECT_EQ(link.server->record_stats().replayed, 1u);
}

TEST(Connection, WrongHostNameFailsWithBadCertificate) {
  auto cc = client_cfg();
  cc.handshake.server_name = "other.test";
  MemoryLink link(cc, server_cfg());
  link.run_until([&] { return link.client->state() == wd::State::failed; }, 5s);
  ASSERT_EQ(link.client->state(), wd::State::failed);
  EXPECT_NE(link.client->error().find("host name"), std::string::npos);
  link.run_until([&] { return link.server->state() == wd::State::failed; }, 5s);
  auto alerts = link.server->take_alerts();
  ASSERT_FALSE(alerts.empty());
  EXPECT_FALSE(alerts[0].sent);
  EXPECT_EQ(alerts[0].description, wd::kBadCertificate);
}

TEST(Connection, CloseNotifyClosesBothSides) {
  MemoryLink link(client_cfg(), server_cfg());
  ASSERT_TRUE(link.run_until_established(10s));
  link.client->close();
  link.collect();
  link.run_until([&] { return link.server->state() == wd::State::closed; }, link.now + 10ms);
  EXPECT_EQ(link.server->state(), wd::State::closed);
}

TEST(Connection, OversizedPlaintextHandshakeLengthIsDiscardedSilently) {
  // RFC 6347 4.1.2.7: an epoch-0 fragment is unauthenticated, so one that cannot be
  // accepted is dropped, not answered with a fatal alert (before issue 8 it failed the
  // connection: anyone could abort a handshake with one datagram).
  auto cc = client_cfg();
  cc.max_handshake_memory = 4096;
  cc.handshake.role = wd::Role::client;
  wd::Connection client(cc);
  client.start(0s);
  ASSERT_EQ(client.pull_datagrams().size(), 1u);  // ClientHello
  // A "ServerHello" fragment claiming a 1 MiB message, 4 bytes present.
  wireproof::bytes::Writer w;
  wd::write_record_header(w, {wd::ContentType::handshake, wd::kDtls12, 0, 0, 12 + 4});
  wd::write_handshake_header(w, {2, 1 << 20, 0, 0, 4});
  w.put_u32(0xfefd0000);
  client.feed(w.data(), 1ms);
  EXPECT_EQ(client.state(), wd::State::handshaking) << client.error();
  EXPECT_EQ(client.stats().discarded_fragments, 1);
  EXPECT_EQ(client.buffered_handshake_bytes(), 0u);
  EXPECT_TRUE(client.take_alerts().empty());
  EXPECT_TRUE(client.pull_datagrams().empty());
}

TEST(Connection, StatelessServerKeepsNoStateBeforeCookie) {
  auto sc = server_cfg();
  sc.handshake.role = wd::Role::server;
  wd::Connection server(sc);
  auto cc = client_cfg();
  cc.handshake.role = wd::Role::client;
  wd::Connection client(cc);
  client.start(0s);
  auto hello = client.pull_datagrams();
  ASSERT_EQ(hello.size(), 1u);
  server.feed(hello[0], 1ms);
  auto hvr = server.pull_datagrams();
  ASSERT_EQ(hvr.size(), 1u);
  EXPECT_EQ(hvr[0][13], 3);  // hello_verify_request
  EXPECT_FALSE(server.next_deadline());  // no timer: nothing to retransmit
  client.on_timeout(1s);  // the client's timer resends its hello (new record sequence number)
  auto again = client.pull_datagrams();
  ASSERT_EQ(again.size(), 1u);
  server.feed(again[0], 1001ms);  // the same answer, still no state
  auto hvr2 = server.pull_datagrams();
  ASSERT_EQ(hvr2.size(), 1u);
  EXPECT_EQ(wc::Bytes(hvr[0].begin() + 25, hvr[0].end()), wc::Bytes(hvr2[0].begin() + 25, hvr2[0].end()));
  EXPECT_FALSE(server.handshake().suite());
}

TEST(Connection, HandshakeTimeoutEndsTheAttempt) {
  auto cc = client_cfg();
  cc.handshake_timeout = 2500ms;
  MemoryLink link(cc, server_cfg());
  link.drop = [](const Sent& s) { return s.dir == Dir::s2c; };
  link.run_until([&] { return link.client->state() == wd::State::failed; }, 10s);
  ASSERT_EQ(link.client->state(), wd::State::failed);
  EXPECT_EQ(link.now, 2500ms);  // not at a retransmission instant: the overall limit fired
  EXPECT_EQ(link.client->error(), "handshake timeout");
}

TEST(Connection, RetransmissionKeepsMessageSeqWithFreshRecordSeq) {
  MemoryLink link(client_cfg(), server_cfg());
  link.drop = [](const Sent& s) { return s.dir == Dir::s2c && s.index_in_dir == 1; };
  ASSERT_TRUE(link.run_until_established(10s));
  auto c2s = link.sent(Dir::c2s);
  ASSERT_GE(c2s.size(), 3u);
  const auto& a = c2s[1]->data;  // ClientHello with cookie
  const auto& b = c2s[2]->data;  // its retransmission
  // Record sequence numbers (bytes 5..10) differ; handshake message_seq (bytes 17..18) is the same.
  EXPECT_NE(wc::Bytes(a.begin() + 5, a.begin() + 11), wc::Bytes(b.begin() + 5, b.begin() + 11));
  EXPECT_EQ(wc::Bytes(a.begin() + 17, a.begin() + 19), wc::Bytes(b.begin() + 17, b.begin() + 19));
  EXPECT_EQ(wc::Bytes(a.begin() + 13, a.end()), wc::Bytes(b.begin() + 13, b.end()));
}

namespace {
wc::RandomSource seeded(std::uint64_t seed) {  // splitmix64 stream: reproducible, not secret
  return [x = seed](std::span<std::uint8_t> out) mutable {
    for (auto& b : out) {
      std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      b = static_cast<std::uint8_t>(z ^ (z >> 31));
    }
  };
}
std::vector<wc::Bytes> run_seeded(std::uint64_t seed) {
  auto cc = client_cfg();
  auto sc = server_cfg();
  cc.random = seeded(seed);
  sc.random = seeded(seed + 1);
  MemoryLink link(cc, sc);
  EXPECT_TRUE(link.run_until_established(10s));
  std::vector<wc::Bytes> out;
  for (const auto& s : link.log) out.push_back(s.data);
  return out;
}
}  // namespace

TEST(Connection, SeededRandomSourceReproducesTheHelloesAndKeyShares) {
  auto a = run_seeded(5), b = run_seeded(5), c = run_seeded(6);
  ASSERT_EQ(a.size(), b.size());
  // c2s: ClientHello, HVR-echo ClientHello, ClientKeyExchange+CCS+Finished...; the randoms, cookie
  // (seeded cookie secret) and key shares are equal. What differs: the server's ECDSA
  // signature (random nonce) and so every Finished after it.
  EXPECT_EQ(a[0], b[0]);  // ClientHello (client random)
  EXPECT_NE(a[0], c[0]);
  EXPECT_EQ(a[1], b[1]);  // HelloVerifyRequest (cookie from the seeded secret)
  EXPECT_EQ(a[2], b[2]);  // ClientHello with cookie
  // The server's flight starts with ServerHello (server random) and its key share, both seeded;
  // compare its first 100 bytes (record header, ServerHello) exactly.
  ASSERT_GT(a[3].size(), 100u);
  EXPECT_TRUE(std::equal(a[3].begin(), a[3].begin() + 100, b[3].begin()));
  EXPECT_FALSE(std::equal(a[3].begin(), a[3].begin() + 100, c[3].begin()));
}

TEST(Connection, ClientAcceptsASecondHelloVerifyRequest) {
  // The server rotates its cookie secret between its HelloVerifyRequest and the client's
  // cookie-bearing ClientHello, so it answers that one with a new HelloVerifyRequest.
  // RFC 6347 4.2.1 allows it; OpenSSL and GnuTLS clients send a third ClientHello with the
  // new cookie. Before issue 8 the ref client failed ("received hello_verify_request,
  // expected server_hello").
  auto old_secret = server_cfg();
  old_secret.handshake.role = wd::Role::server;
  old_secret.cookie_secret = wc::Bytes(32, 1);
  wd::Connection before_rotation(old_secret);
  auto rotated = server_cfg();
  rotated.cookie_secret = wc::Bytes(32, 2);
  MemoryLink link(client_cfg(), rotated);
  link.client->start(0us);
  for (const auto& ch : link.client->pull_datagrams()) before_rotation.feed(ch, 0us);
  auto hvr = before_rotation.pull_datagrams();
  ASSERT_EQ(hvr.size(), 1u);
  link.client->feed(hvr[0], 0us);
  // From here the rotated server sees everything: the ClientHello with the old cookie first.
  ASSERT_TRUE(link.run_until_established(10s)) << link.client->error() << " / " << link.server->error();
  auto c2s = link.sent(Dir::c2s);
  auto s2c = link.sent(Dir::s2c);
  ASSERT_GE(c2s.size(), 2u);
  EXPECT_EQ(first_hs_type(*c2s[0]), 1);  // ClientHello, old cookie
  EXPECT_EQ(first_hs_type(*s2c[0]), 3);  // HelloVerifyRequest, new cookie
  EXPECT_EQ(first_hs_type(*c2s[1]), 1);  // ClientHello, new cookie
  EXPECT_EQ(first_hs_type(*s2c[1]), 2);  // ServerHello
  EXPECT_EQ(link.client->stats().retransmissions, 0);
}
