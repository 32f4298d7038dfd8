#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/tls/tls_test_support.hpp"

namespace wireproof::checks {
namespace {

using dissect::testing::OpensslMemoryPair;
using namespace testing;

// The stream without its (first) change_cipher_spec record.
Bytes without_ccs(const Bytes& s) {
  for (std::size_t at = 0; at + 5 < s.size(); at += 5 + get16(s, at + 3))
    if (s[at] == dissect::kChangeCipherSpec) {
      Bytes out(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(at));
      out.insert(out.end(), s.begin() + static_cast<std::ptrdiff_t>(at + 5 + get16(s, at + 3)), s.end());
      return out;
    }
  ADD_FAILURE() << "no change_cipher_spec";
  return s;
}

class MiddleboxCompat : public dissect::testing::WithServerPki<int> {
 protected:
  void SetUp() override { p_ = std::make_unique<OpensslMemoryPair>(pki_, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256"); }
  std::unique_ptr<OpensslMemoryPair> p_;
  std::unique_ptr<Check> check_ = make_middlebox_compat();
};

TEST_F(MiddleboxCompat, OpenSslsCompatibilityModePassesWithoutTheKeyLog) {
  p_->handshake();
  const auto r = judge(*check_, *p_, false);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["judged"], 2);
}

TEST_F(MiddleboxCompat, AClientNotInCompatibilityModeIsNotJudged) {
  SSL_clear_options(p_->client, SSL_OP_ENABLE_MIDDLEBOX_COMPAT);
  p_->handshake();
  const auto r = judge(*check_, *p_, false);
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
  EXPECT_NE(r.detail.find("empty legacy_session_id: not in compatibility mode"), std::string::npos) << r.detail;
}

// Fails without the server's CCS rule.
TEST_F(MiddleboxCompat, AServerWithoutItsChangeCipherSpecFails) {
  p_->handshake();
  const auto r = judge(*check_, *p_, p_->c2s, without_ccs(p_->s2c), false);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("s2c: the server sent no change_cipher_spec record"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
}

// Fails without the client's CCS rule.
TEST_F(MiddleboxCompat, AClientWithoutItsChangeCipherSpecFails) {
  p_->handshake();
  const auto r = judge(*check_, *p_, without_ccs(p_->c2s), p_->s2c, true);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("c2s: the client sent no change_cipher_spec record before its second flight"), std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));
}

// Fails without the echo rule: one byte of the ServerHello's legacy_session_id_echo changed.
TEST_F(MiddleboxCompat, AServerHelloNotEchoingTheSessionIdFails) {
  p_->handshake();
  Bytes s2c = p_->s2c;
  hello_random(s2c, 2)[33] ^= 0xff;  // the first session id byte, after the random and its length
  const auto r = judge(*check_, *p_, p_->c2s, s2c, false);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("the server's ServerHello does not echo the client's 32-byte legacy_session_id"),
            std::string::npos)
      << r.detail;
}

// After a HelloRetryRequest the client's CCS may come before its second
// ClientHello (OpenSSL) or before its encrypted flight (GnuTLS, seen in
// hello-retry-request gnutls -> openssl): RFC 8446 D.4 allows both. The CCS
// moved after the second ClientHello passes; moved behind the first
// protected record it fails. Without the second allowed place the move
// fails too.
TEST_F(MiddleboxCompat, AfterARetryTheClientsCcsMayPrecedeEitherPartOfItsSecondFlight) {
  p_ = std::make_unique<OpensslMemoryPair>(pki_, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256");
  SSL_set1_groups_list(p_->client, "X25519:P-256");
  SSL_set1_groups_list(p_->server, "P-256");
  p_->handshake();
  ASSERT_EQ(judge(*check_, *p_, false).verdict, Verdict::pass);
  // The records of c2s: ClientHello, CCS, ClientHello, protected...
  std::vector<Bytes> recs;
  for (std::size_t at = 0; at + 5 <= p_->c2s.size(); at += 5 + get16(p_->c2s, at + 3))
    recs.emplace_back(p_->c2s.begin() + static_cast<std::ptrdiff_t>(at),
                      p_->c2s.begin() + static_cast<std::ptrdiff_t>(at + 5 + get16(p_->c2s, at + 3)));
  ASSERT_GE(recs.size(), 4u);
  ASSERT_EQ(recs[1][0], dissect::kChangeCipherSpec);
  ASSERT_EQ(recs[2][0], dissect::kHandshake);
  const auto joined = [](const std::vector<Bytes>& rs) {
    Bytes out;
    for (const auto& r : rs) out.insert(out.end(), r.begin(), r.end());
    return out;
  };
  auto moved = recs;
  std::swap(moved[1], moved[2]);  // ClientHello, ClientHello, CCS, protected...
  auto r = judge(*check_, *p_, joined(moved), p_->s2c, false);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  std::swap(moved[2], moved[3]);  // ClientHello, ClientHello, protected, CCS, ...
  r = judge(*check_, *p_, joined(moved), p_->s2c, false);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("c2s: the client's change_cipher_spec is record 3, not immediately before its second flight "
                          "(record 1 or 2)"),
            std::string::npos)
      << r.detail;
}

}  // namespace
}  // namespace wireproof::checks
