#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/log_builder.hpp"

namespace wireproof::checks {
namespace {

using namespace testing;

const Bytes kCookie = filler(20, 99);

Bytes hello(const ClientHelloFields& f, std::uint64_t seq, int msg_seq) {
  return record(kHandshake, 0, seq, handshake_message(1, msg_seq, client_hello_body(f)));
}
Bytes hvr(const Bytes& cookie, std::uint64_t seq = 0) {
  return record(kHandshake, 0, seq, handshake_message(3, 0, hello_verify_request_body(0xfeff, cookie)));
}

// CH at 0 ms, HVR at 1 ms, then `second` at 2 ms.
LogBuilder exchange(const ClientHelloFields& second) {
  LogBuilder b;
  b.datagram("c2s", 0, hello({}, 0, 0), 1);
  b.datagram("s2c", 1, hvr(kCookie), 2);
  b.datagram("c2s", 2, hello(second, 1, 1), 3);
  return b;
}

ClientHelloFields with_cookie() {
  ClientHelloFields f;
  f.cookie = kCookie;
  return f;
}

TEST(CookieExchange, PassesOnACleanCookieExchange) {
  LogBuilder b;
  clean_handshake(b, true);
  auto r = make_cookie_exchange()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["client_hello_2"]["cookie"], events::to_hex(kCookie));
  EXPECT_EQ(r.measured["hello_verify_requests"][0]["server_version"], "feff");
  EXPECT_EQ(r.evidence, (std::vector<std::uint64_t>{0, 1, 2}));
}

TEST(CookieExchange, PassesOnAFragmentedSecondClientHelloAndReportsExtensionChanges) {
  auto f = with_cookie();
  f.extensions.push_back({0x0023, {}});  // session_ticket added
  const Bytes body = client_hello_body(f);
  const auto len = static_cast<std::uint32_t>(body.size());
  LogBuilder b;
  b.datagram("c2s", 0, hello({}, 0, 0), 1);
  b.datagram("s2c", 1, hvr(kCookie), 2);
  b.datagram("c2s", 2, record(kHandshake, 0, 1, handshake_fragment(1, len, 1, 0, std::span(body).first(50))), 3);
  b.datagram("c2s", 2.1, record(kHandshake, 0, 2, handshake_fragment(1, len, 1, 50, std::span(body).subspan(50))), 3);
  auto r = make_cookie_exchange()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["extension_differences"], "added 35");
}

TEST(CookieExchange, FailsWhenTheCookieIsNotTheServers) {
  auto f = with_cookie();
  f.cookie[0] ^= 1;
  auto r = make_cookie_exchange()->run(exchange(f).inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("is not the cookie of a HelloVerifyRequest"), std::string::npos) << r.detail;
}

TEST(CookieExchange, FailsWhenRandomOrCipherSuitesChange) {
  auto f = with_cookie();
  f.random = filler(32, 8);
  f.cipher_suites = {0xc02b};
  auto r = make_cookie_exchange()->run(exchange(f).inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("random changed"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("cipher_suites changed"), std::string::npos) << r.detail;
}

TEST(CookieExchange, FailsWhenTheClientNeverAddsTheCookie) {
  LogBuilder b;
  b.datagram("c2s", 0, hello({}, 0, 0), 1);
  b.datagram("s2c", 1, hvr(kCookie), 2);
  b.datagram("c2s", 1000, hello({}, 1, 0), 1, true);  // resends the original instead
  auto r = make_cookie_exchange()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("none with a cookie"), std::string::npos) << r.detail;
}

TEST(CookieExchange, FailsOnAnUnparsableHelloVerifyRequest) {
  LogBuilder b;
  b.datagram("c2s", 0, hello({}, 0, 0), 1);
  b.datagram("s2c", 1, record(kHandshake, 0, 0, handshake_message(3, 0, Bytes{0xfe, 0xff, 30, 1, 2})), 2);
  auto r = make_cookie_exchange()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("HelloVerifyRequest: not server_version + cookie"), std::string::npos) << r.detail;
}

TEST(CookieExchange, NotApplicableWithoutADeliveredHelloVerifyRequest) {
  LogBuilder none;
  clean_handshake(none, false);
  EXPECT_EQ(make_cookie_exchange()->run(none.inputs()).verdict, Verdict::not_applicable);

  LogBuilder dropped;
  dropped.datagram("c2s", 0, hello({}, 0, 0), 1);
  auto& d = dropped.datagram("s2c", 1, hvr(kCookie), 2);
  d.fate = "dropped";
  d.deliveries_us.clear();
  auto r = make_cookie_exchange()->run(dropped.inputs());
  EXPECT_EQ(r.verdict, Verdict::not_applicable);
  EXPECT_NE(r.detail.find("none reached the client"), std::string::npos);
}

}  // namespace
}  // namespace wireproof::checks
