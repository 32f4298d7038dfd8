#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/tls/tls_test_support.hpp"

namespace wireproof::checks {
namespace {

using dissect::testing::OpensslMemoryPair;
using namespace testing;

class TlsHandshakeCompletes : public dissect::testing::WithServerPki<int> {
 protected:
  void SetUp() override {
    p_ = std::make_unique<OpensslMemoryPair>(pki_, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256");
    p_->handshake();
  }
  CheckResult run(const char* client_cipher, bool key_log = true, Bytes s2c = {}) {
    TlsOverTcp w;
    w.b.scenario.protocol = "tls1.3";
    w.send("c2s", p_->c2s, 300);
    w.send("s2c", s2c.empty() ? p_->s2c : s2c, 300);
    w.b.client_event({{"event", "handshake_done"}, {"version", "TLSv1.3"}, {"cipher", client_cipher}}, w.now);
    w.b.server_event({{"event", "handshake_done"}, {"version", "TLSv1.3"}, {"cipher_iana", "TLS_AES_128_GCM_SHA256"}},
                     w.now);
    auto in = w.b.inputs();
    if (key_log) in.key_logs = {{"keylog-client.txt", p_->key_log, ""}};
    return check_->run(in);
  }
  std::unique_ptr<OpensslMemoryPair> p_;
  std::unique_ptr<Check> check_ = make_tls_handshake_completes();
};

TEST_F(TlsHandshakeCompletes, ARealHandshakeBothFinishedDecryptedPasses) {
  const auto r = run("TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["connections"][0]["client_finished"], "decrypted");
  EXPECT_EQ(r.measured["connections"][0]["server_finished"], "decrypted");
  EXPECT_EQ(r.measured["connections"][0]["cipher"], "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(r.measured["judged"], 2);
}

TEST_F(TlsHandshakeCompletes, WithoutTheKeyLogTheFinishedIsInferredAndSaidSo) {
  const auto r = run("TLS_AES_128_GCM_SHA256", false);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["connections"][0]["client_finished"], "inferred");
  EXPECT_NE(r.detail.find("not judged: connection 1: Finished not decrypted"), std::string::npos) << r.detail;
}

// Fails without the suite cross-check: the client names a suite the ServerHello did not choose.
TEST_F(TlsHandshakeCompletes, APeerNamingAnotherSuiteThanTheWireFails) {
  const auto r = run("TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("the client says cipher \"TLS_AES_256_GCM_SHA384\", the wire's ServerHello chose "
                          "TLS_AES_128_GCM_SHA256"),
            std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));
}

// Fails without the wire's Finished rule: the server's stream stops after its ServerHello record.
TEST_F(TlsHandshakeCompletes, AClaimTheWireRefutesFails) {
  const std::size_t sh = hello_record(p_->s2c, 2);
  Bytes s2c(p_->s2c.begin(), p_->s2c.begin() + static_cast<std::ptrdiff_t>(sh + 5 + get16(p_->s2c, sh + 3)));
  const auto r = run("TLS_AES_128_GCM_SHA256", true, s2c);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("the server reported handshake_done but the wire shows no Finished from the server"),
            std::string::npos)
      << r.detail;
}

TEST_F(TlsHandshakeCompletes, AnOpenSslNameForThe12SuiteIsAccepted) {
  OpensslMemoryPair p(pki_, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256");
  p.handshake();
  TlsOverTcp w;
  w.b.scenario.protocol = "tls1.2";
  w.send("c2s", p.c2s, 300);
  w.send("s2c", p.s2c, 300);
  const nlohmann::json done{{"event", "handshake_done"}, {"version", "TLSv1.2"}, {"cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"}};
  w.b.client_event(done, w.now);
  w.b.server_event(done, w.now);
  auto in = w.b.inputs();
  in.key_logs = {{"keylog-client.txt", p.key_log, ""}};
  const auto r = check_->run(in);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["connections"][0]["client_finished"], "decrypted") << r.measured.dump();
}

// A real TLS 1.3 server requiring a client certificate the client does not
// have: both Finished cross, then the server's fatal certificate_required.
// Fails without server_abort (the handshake "completed on the wire").
TEST_F(TlsHandshakeCompletes, AServerRefusingTheClientsLastFlightFailsTheHandshake) {
  OpensslMemoryPair p(pki_, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256");
  SSL_set_verify(p.server, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  for (int i = 0; i < 10; ++i) {
    SSL_do_handshake(p.client);
    p.pump();
    SSL_do_handshake(p.server);
    p.pump();
  }
  ASSERT_TRUE(SSL_is_init_finished(p.client));
  ASSERT_FALSE(SSL_is_init_finished(p.server));
  TlsOverTcp w;
  w.b.scenario.protocol = "tls1.3";
  w.b.scenario.expect.handshake_completes = false;
  w.send("c2s", p.c2s, 300);
  w.send("s2c", p.s2c, 300);
  w.b.client_event({{"event", "handshake_done"}, {"version", "TLSv1.3"}, {"cipher", "TLS_AES_128_GCM_SHA256"}}, w.now);
  const auto judge = [&] {
    auto in = w.b.inputs();
    in.key_logs = {{"keylog-client.txt", p.key_log, ""}};
    return check_->run(in);
  };
  auto r = judge();
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["connections"][0]["server_aborted"], 116) << r.measured.dump();  // certificate_required
  EXPECT_EQ(r.measured["completed_on_wire"], 0);
  // A server claiming the handshake done is refuted; the client's claim stands.
  w.b.server_event({{"event", "handshake_done"}, {"version", "TLSv1.3"}, {"cipher", "TLS_AES_128_GCM_SHA256"}}, w.now);
  r = judge();
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"})) << r.detail;
}

}  // namespace
}  // namespace wireproof::checks
