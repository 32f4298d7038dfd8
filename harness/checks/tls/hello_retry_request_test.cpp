#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/tls/tls_test_support.hpp"

namespace wireproof::checks {
namespace {

using dissect::testing::OpensslMemoryPair;
using namespace testing;

// The offset of the n-th record carrying a ClientHello.
std::size_t nth_client_hello(const Bytes& s, int n) {
  for (std::size_t at = 0; at + 5 < s.size(); at += 5 + get16(s, at + 3))
    if (s[at] == dissect::kHandshake && s[at + 5] == 1 && n-- == 0) return at;
  ADD_FAILURE() << "no such ClientHello";
  return 0;
}

class HelloRetryRequest : public dissect::testing::WithServerPki<int> {
 protected:
  void SetUp() override {
    // The client's key share is x25519, the server takes only P-256: OpenSSL's server sends a HelloRetryRequest.
    p_ = std::make_unique<OpensslMemoryPair>(pki_, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256");
    SSL_set1_groups_list(p_->client, "X25519:P-256");
    SSL_set1_groups_list(p_->server, "P-256");
    p_->handshake();
  }
  std::unique_ptr<OpensslMemoryPair> p_;
  std::unique_ptr<Check> check_ = make_hello_retry_request();
};

TEST_F(HelloRetryRequest, ARealRetryPasses) {
  const auto r = judge(*check_, *p_, false);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["judged"], 2);
}

TEST(HelloRetryRequestNone, NoRetryIsNotApplicable) {
  TlsOverTcp w;
  w.b.scenario.protocol = "tls1.3";
  EXPECT_EQ(make_hello_retry_request()->run(w.b.inputs()).verdict, Verdict::not_applicable);
}

// Fails without the client rule: the second ClientHello's random changed.
TEST_F(HelloRetryRequest, ASecondClientHelloWithAnotherRandomFails) {
  Bytes c2s = p_->c2s;
  c2s[nth_client_hello(c2s, 1) + 11] ^= 0xff;
  const auto r = judge(*check_, *p_, c2s, p_->s2c, false);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("c2s: the client's second ClientHello changed random"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));
}

// Fails without the server rule: its HelloRetryRequest record sent twice.
TEST_F(HelloRetryRequest, ASecondHelloRetryRequestFails) {
  Bytes s2c = p_->s2c;
  const std::size_t len = 5 + get16(s2c, 3);
  s2c.insert(s2c.begin() + static_cast<std::ptrdiff_t>(len), p_->s2c.begin(), p_->s2c.begin() + static_cast<std::ptrdiff_t>(len));
  const auto r = judge(*check_, *p_, p_->c2s, s2c, false);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("s2c: the server sent a second HelloRetryRequest"), std::string::npos) << r.detail;
}

}  // namespace
}  // namespace wireproof::checks
