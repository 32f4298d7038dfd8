#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/tls_view.hpp"
#include "harness/checks/tls/tls_test_support.hpp"

namespace wireproof::checks {
namespace {

using testing::PairOnWire;

int refuse_every_name(SSL*, int* alert, void*) {
  *alert = SSL_AD_UNRECOGNIZED_NAME;
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

class Alerts : public dissect::testing::WithServerPki<int> {
 protected:
  void SetUp() override { pw_ = std::make_unique<PairOnWire>(pki_, GetParam()); }
  void expect(const std::string& params) { pw_->w.b.scenario.expect.check_params_json["alerts"] = params; }
  static CheckResult judge(const Inputs& in) { return make_alerts()->run(in); }
  std::unique_ptr<PairOnWire> pw_;
};

// A server configured to refuse unknown SNI hosts (--unknown-sni alert).
TEST_P(Alerts, AnUnknownSniHostRefusedWithUnrecognizedName) {
  SSL_CTX_set_tlsext_servername_callback(pw_->p.server_ctx, refuse_every_name);
  ASSERT_EQ(SSL_set_tlsext_host_name(pw_->p.client, "unknown.example"), 1);
  pw_->attempt();
  pw_->w.b.client_event({{"event", "error"}, {"message", "tlsv1 unrecognized name"}}, pw_->w.now);
  expect(R"({"alert": "unrecognized_name", "from": "server"})");
  auto r = judge(pw_->inputs());
  ASSERT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_NE(r.detail.find("s2c: the server's fatal unrecognized_name"), std::string::npos) << r.detail;
  // Fails without the expectation: a server that should have served its default certificate.
  expect(R"({"alert": "none", "from": "server"})");
  r = judge(pw_->inputs());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("the server should send no error alert, but sent"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("tlsv1 unrecognized name"), std::string::npos) << "the client's error shown";
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
}

// Fails without the expectation: the wrong alert named.
TEST_P(Alerts, NoCommonVersionIsProtocolVersionNotAnother) {
  if (GetParam() == TLS1_3_VERSION) {  // the client offers only 1.2 to a 1.3-only server
    SSL_set_min_proto_version(pw_->p.client, TLS1_2_VERSION);
    SSL_set_max_proto_version(pw_->p.client, TLS1_2_VERSION);
  } else {  // the client offers only 1.3 to a 1.2-only server
    SSL_set_min_proto_version(pw_->p.client, TLS1_3_VERSION);
    SSL_set_max_proto_version(pw_->p.client, TLS1_3_VERSION);
  }
  pw_->attempt();
  expect(R"({"alert": "protocol_version", "from": "server"})");
  EXPECT_EQ(judge(pw_->inputs()).verdict, Verdict::pass) << judge(pw_->inputs()).detail;
  expect(R"({"alert": "handshake_failure", "from": "server"})");
  const auto r = judge(pw_->inputs());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("expected handshake_failure from the server, but its first error alert is"), std::string::npos)
      << r.detail;
  EXPECT_NE(r.detail.find("protocol_version"), std::string::npos) << r.detail;
}

// A client that cannot verify the server's certificate (no CA given).
TEST_P(Alerts, AnUnverifiableCertificateIsUnknownCaFromTheClient) {
  SSL_set_verify(pw_->p.client, SSL_VERIFY_PEER, nullptr);
  pw_->attempt();
  expect(R"({"alert": "unknown_ca", "from": "client"})");
  const auto r = judge(pw_->inputs_with_key_log());
  ASSERT_EQ(r.verdict, Verdict::pass) << r.detail;
  // OpenSSL's client sends this alert in clear in both versions: in 1.3 before
  // its own handshake keys are in use (it has sent no flight under them yet).
  const auto blind = judge(pw_->inputs());
  EXPECT_EQ(blind.verdict, Verdict::pass) << blind.detail;
  EXPECT_NE(blind.detail.find("c2s: the client's fatal unknown_ca (i="), std::string::npos) << blind.detail;
  EXPECT_NE(blind.detail.find(", in clear)"), std::string::npos) << blind.detail;
}

// A server requiring a client certificate the client does not send: 1.3's
// certificate_required comes under the server's application key.
TEST_P(Alerts, AnEncryptedAlertIsJudgedOnlyWithTheKeyLog) {
  SSL_set_verify(pw_->p.server, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  pw_->attempt();
  const bool v13 = GetParam() == TLS1_3_VERSION;
  expect(v13 ? R"({"alert": "certificate_required", "from": "server"})"
             : R"({"alert": "handshake_failure", "from": "server"})");
  const auto r = judge(pw_->inputs_with_key_log());
  ASSERT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_NE(r.detail.find(v13 ? "decrypted" : "in clear"), std::string::npos) << r.detail;
  const auto blind = judge(pw_->inputs());
  if (v13) {
    EXPECT_EQ(blind.verdict, Verdict::not_applicable) << blind.detail;
    EXPECT_NE(blind.detail.find("expected certificate_required from the server: none seen in clear"), std::string::npos)
        << blind.detail;
    EXPECT_NE(blind.detail.find(support::kNoKeyLogFiles), std::string::npos) << blind.detail;
  } else {
    EXPECT_EQ(blind.verdict, Verdict::pass) << blind.detail;
  }
}

// Fails without the "none sent" rule.
TEST_P(Alerts, AnExpectedAlertNeverSentFails) {
  pw_->start();
  expect(R"({"alert": "unknown_ca", "from": "client"})");
  const auto r = judge(pw_->inputs_with_key_log());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("expected unknown_ca from the client, but it sent no error alert"), std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));
  expect(R"({"alert": "unknown_ca"})");
  EXPECT_THROW(judge(pw_->inputs_with_key_log()), std::runtime_error);
  expect(R"({"alert": "no_such_alert", "from": "client"})");
  EXPECT_THROW(judge(pw_->inputs_with_key_log()), std::runtime_error);
}

// Fails without the RFC 8446 6.2 rule.
TEST_P(Alerts, ATls13ErrorAlertSentAsAWarningFails) {
  SSL_set_verify(pw_->p.client, SSL_VERIFY_PEER, nullptr);
  pw_->attempt();
  auto in = pw_->inputs_with_key_log();
  auto view = std::make_shared<support::TlsView>(support::tls_view(in));
  ASSERT_EQ(view->connections.at(0).tls.c2s.alerts.size(), 1u);
  view->connections[0].tls.c2s.alerts[0].level = 1;
  in.tls_view_cache = view;
  const auto r = judge(in);
  if (GetParam() == TLS1_3_VERSION) {
    ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
    EXPECT_NE(r.detail.find("warning unknown_ca (i="), std::string::npos) << r.detail;
    EXPECT_NE(r.detail.find("a TLS 1.3 error alert must be sent with level fatal"), std::string::npos) << r.detail;
  } else {
    EXPECT_EQ(r.verdict, Verdict::pass) << "1.2 allows warning-level error alerts: " << r.detail;
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, Alerts, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION),
                         [](const auto& info) { return info.param == TLS1_3_VERSION ? "tls13" : "tls12"; });

}  // namespace
}  // namespace wireproof::checks
