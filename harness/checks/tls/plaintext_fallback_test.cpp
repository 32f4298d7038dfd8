#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/tls/tls_test_support.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
using testing::PairOnWire;

// A real OpenSSL client's ClientHello answered by a plaintext HTTP server,
// the client's real reaction to those bytes on the wire `react_ms` later.
class PlaintextFallback : public dissect::testing::WithServerPki<int> {
 protected:
  void meet_http_server(double react_ms, bool close = true) {
    pw_ = std::make_unique<PairOnWire>(pki_, TLS1_3_VERSION);
    auto& p = pw_->p;
    SSL_do_handshake(p.client);
    pw_->withhold(p.client);
    pw_->flush();
    const std::string http = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    p.s2c.insert(p.s2c.end(), http.begin(), http.end());
    BIO_write(SSL_get_rbio(p.client), http.data(), static_cast<int>(http.size()));
    EXPECT_LE(SSL_do_handshake(p.client), 0) << "OpenSSL refuses it";
    ERR_clear_error();
    pw_->w.send("s2c", p.s2c, pw_->s2c_sent, p.s2c.size(), 1000);
    pw_->s2c_sent = p.s2c.size();
    pw_->w.now += react_ms;
    pw_->withhold(p.client);  // its alert, if any
    pw_->w.send("c2s", p.c2s, pw_->c2s_sent, p.c2s.size(), 1000);
    if (close) pw_->w.t.fin("c2s", pw_->w.now);
  }
  void client_error() {
    pw_->w.b.client_event({{"event", "error"}, {"message", "wrong version number"}, {"reason", "SSL_R_WRONG_VERSION_NUMBER"}},
                          pw_->w.now);
  }
  static CheckResult judge(const Inputs& in) { return make_plaintext_fallback()->run(in); }
  std::unique_ptr<PairOnWire> pw_;
};

TEST_F(PlaintextFallback, AClientFailingAtOnceWithAnErrorPasses) {
  meet_http_server(2);
  client_error();
  const auto r = judge(pw_->inputs());
  ASSERT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_NE(r.detail.find("the server answered the ClientHello with non-TLS bytes"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("the client's error: wrong version number"), std::string::npos) << r.detail;
}

// Fails without the reaction rule.
TEST_F(PlaintextFallback, AClientThatWaitsFails) {
  meet_http_server(5000);
  client_error();
  auto r = judge(pw_->inputs());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("more than 1000 ms: it waited instead of failing"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], json::array({"c2s"}));
  pw_->w.b.scenario.expect.check_params_json["plaintext_fallback"] = R"({"max_reaction_ms": 6000})";
  EXPECT_EQ(judge(pw_->inputs()).verdict, Verdict::pass);
}

TEST_F(PlaintextFallback, AClientThatNeverClosesFails) {
  meet_http_server(2, false);
  client_error();
  pw_->w.b.client.exit_code = -1;
  pw_->w.b.client.exit_reason = "killed by signal 9 after deadline";
  const auto r = judge(pw_->inputs());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("the client never closed the connection on the wire (killed by signal 9 after deadline)"),
            std::string::npos)
      << r.detail;
}

// Fails without the error-event rule.
TEST_F(PlaintextFallback, AClientWithoutAnErrorEventFails) {
  meet_http_server(2);
  const auto r = judge(pw_->inputs());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("the client reported no error event"), std::string::npos) << r.detail;
}

TEST_F(PlaintextFallback, ATlsServerIsNotJudged) {
  PairOnWire pw(pki_, TLS1_3_VERSION);
  pw.start();
  const auto r = judge(pw.inputs());
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
}

}  // namespace
}  // namespace wireproof::checks
