#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/tls/tls_test_support.hpp"

namespace wireproof::checks {
namespace {

using testing::PairOnWire;

class CloseNotify : public dissect::testing::WithServerPki<int> {
 protected:
  void SetUp() override {
    pw_ = std::make_unique<PairOnWire>(pki_, GetParam());
    pw_->start();
    pw_->write(pw_->p.client, "hello");
    pw_->write(pw_->p.server, "hello");
  }
  CheckResult judge(const Inputs& in) const { return make_close_notify()->run(in); }
  void close_notify(SSL* side) {
    SSL_shutdown(side);
    pw_->p.pump();
    pw_->flush();
  }
  void fin(const std::string& dir) { pw_->w.t.fin(dir, pw_->w.now++); }
  std::unique_ptr<PairOnWire> pw_;
};

TEST_P(CloseNotify, CloseNotifyBeforeEachFinPasses) {
  close_notify(pw_->p.client);
  fin("c2s");
  close_notify(pw_->p.server);
  fin("s2c");
  const auto r = judge(pw_->inputs_with_key_log());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["judged"], 2) << r.measured.dump();
  EXPECT_NE(r.detail.find("c2s: the client's FIN"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("warning close_notify"), std::string::npos) << r.detail;
}

// Fails without the rule: a FIN with no alert before it.
TEST_P(CloseNotify, AFinWithoutCloseNotifyIsPossibleTruncation) {
  pw_->w.b.server_event({{"event", "error"}, {"message", "unexpected eof while reading"}}, pw_->w.now);
  fin("c2s");
  const auto r = judge(pw_->inputs_with_key_log());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("c2s: the client's FIN"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("possible truncation"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("unexpected eof while reading"), std::string::npos) << "the receiver's own words shown";
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));
}

TEST_P(CloseNotify, AnRstWithoutCloseNotifyFailsUnlessTheScenarioAborts) {
  pw_->w.t.rst("s2c", pw_->w.now++);
  auto r = judge(pw_->inputs_with_key_log());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("s2c: the server's RST"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));

  pw_->w.b.scenario.expect.check_params_json["close_notify"] = R"({"abort_expected": true})";
  r = judge(pw_->inputs_with_key_log());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_NE(r.detail.find("truncation expected"), std::string::npos) << r.detail;
}

TEST_P(CloseNotify, WithoutAKeyLogWhatIsEncryptedIsNotJudged) {
  close_notify(pw_->p.client);
  fin("c2s");
  const auto r = judge(pw_->inputs());
  if (GetParam() == TLS1_3_VERSION) {
    // 1.3 alerts (and Finished) are encrypted: nothing can be seen.
    EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
    EXPECT_NE(r.detail.find("not seen"), std::string::npos) << r.detail;
    EXPECT_NE(r.detail.find("no key log"), std::string::npos) << r.detail;
  } else {
    // 1.2: the alert record's outer type is in clear.
    EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
    EXPECT_NE(r.detail.find("an encrypted alert record"), std::string::npos) << r.detail;
  }
}

TEST_P(CloseNotify, ASideClosingBeforeItsFinishedIsNotJudged) {
  PairOnWire fresh(pki_, GetParam());
  SSL_do_handshake(fresh.p.client);
  fresh.p.pump();
  fresh.w.send("c2s", fresh.p.c2s, 1000);  // the ClientHello only
  fresh.w.t.fin("c2s", fresh.w.now);
  const auto r = judge(fresh.inputs_with_key_log());
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
  EXPECT_NE(r.detail.find("closed before sending Finished"), std::string::npos) << r.detail;
}

// client-cert-required-missing: the server refuses the client's empty
// Certificate with a fatal alert after the client's Finished, and the client
// closes at once (RFC 8446 6.2). Without the rule the client's FIN fails as a
// possible truncation.
TEST_P(CloseNotify, ASideClosingAfterItsPeersErrorAlertConforms) {
  PairOnWire fresh(pki_, GetParam());
  SSL_set_verify(fresh.p.server, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  fresh.attempt();
  fresh.w.t.fin("c2s", fresh.w.now++);
  const auto r = judge(fresh.inputs_with_key_log());
  ASSERT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_NE(r.detail.find(GetParam() == TLS1_3_VERSION ? "closed after the server's fatal certificate_required (decrypted)"
                                                        : "closed after the server's fatal handshake_failure"),
            std::string::npos)
      << r.detail;
}

// abort-rst-truncation: the wire's RST reached the client, whose kernel then
// answers the server's next segment with an RST of its own. That is no close
// the client's application chose, and no alert can follow a reset: not
// judged. Without the rule the client's RST fails as a possible truncation.
TEST_P(CloseNotify, ASideWhoseConnectionWasResetIsNotJudged) {
  pw_->w.t.rst("s2c", pw_->w.now++);
  pw_->w.t.rst("c2s", pw_->w.now++);
  pw_->w.b.scenario.expect.check_params_json["close_notify"] = R"({"abort_expected": true})";
  const auto r = judge(pw_->inputs_with_key_log());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_NE(r.detail.find("c2s: the client's RST"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("the connection was reset before it"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["judged"], 1) << r.measured.dump();
}

INSTANTIATE_TEST_SUITE_P(Versions, CloseNotify, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION),
                         [](const auto& info) { return info.param == TLS1_3_VERSION ? "tls13" : "tls12"; });

}  // namespace
}  // namespace wireproof::checks
