#include <gtest/gtest.h>

#include <cstring>

#include "harness/checks/registry.hpp"
#include "harness/checks/tls/tls_test_support.hpp"

namespace wireproof::checks {
namespace {

using dissect::testing::OpensslMemoryPair;
using namespace testing;

// A TLS 1.3 client (max 1.3) against a server held to TLS 1.2; the server's
// first flight optionally gets DOWNGRD 01 written over its random before the
// real client reads it.
struct Downgrade {
  OpensslMemoryPair p;
  Bytes c2s, s2c;
  Downgrade(const pki::PkiFiles& pki, bool sentinel) : p(pki, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256") {
    SSL_set_max_proto_version(p.client, TLS1_3_VERSION);
    SSL_set_ciphersuites(p.client, "TLS_AES_128_GCM_SHA256");
    if (!sentinel) {
      p.handshake();
      c2s = p.c2s;
      s2c = p.s2c;
      return;
    }
    SSL_do_handshake(p.client);
    c2s = drain(p.client);
    BIO_write(SSL_get_rbio(p.server), c2s.data(), static_cast<int>(c2s.size()));
    SSL_do_handshake(p.server);
    s2c = drain(p.server);
    std::memcpy(hello_random(s2c, 2) + 24, "DOWNGRD\x01", 8);
    BIO_write(SSL_get_rbio(p.client), s2c.data(), static_cast<int>(s2c.size()));
    EXPECT_LE(SSL_do_handshake(p.client), 0) << "OpenSSL's client refuses the sentinel";
    const Bytes alert = drain(p.client);
    c2s.insert(c2s.end(), alert.begin(), alert.end());
  }
  static Bytes drain(SSL* s) {
    Bytes out;
    char buf[16384];
    for (int n; (n = BIO_read(SSL_get_wbio(s), buf, sizeof buf)) > 0;) out.insert(out.end(), buf, buf + n);
    return out;
  }
};

class VersionNegotiation : public dissect::testing::WithServerPki<int> {
 protected:
  CheckResult run(const Downgrade& d, std::optional<bool> capable, const Bytes* c2s = nullptr) {
    TlsOverTcp w;
    w.b.scenario.protocol = "tls1.2";
    if (capable) w.b.scenario.expect.check_params_json["version_negotiation"] = nlohmann::json{{"server_tls13_capable", *capable}}.dump();
    w.send("c2s", c2s ? *c2s : d.c2s, 300);
    w.send("s2c", d.s2c, 300);
    return check_->run(w.b.inputs());
  }
  std::unique_ptr<Check> check_ = make_version_negotiation();
};

TEST_F(VersionNegotiation, AServerHeldTo12IsNotJudgedUnlessTheScenarioSaysItCanSpeak13) {
  Downgrade d(pki_, false);
  auto r = run(d, std::nullopt);
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
  EXPECT_NE(r.detail.find("server_tls13_capable unset"), std::string::npos) << r.detail;
  r = run(d, false);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
}

// Fails without the server rule: a 1.3-capable server, 1.2 negotiated, no sentinel.
TEST_F(VersionNegotiation, ACapableServerWithoutTheSentinelFails) {
  Downgrade d(pki_, false);
  const auto r = run(d, true);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("s2c: the 1.3-capable server negotiated TLS 1.2 with a 1.3 client without DOWNGRD 01"),
            std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
}

TEST_F(VersionNegotiation, ARealClientRefusingTheSentinelPasses) {
  Downgrade d(pki_, true);
  const auto r = run(d, true);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["downgrade_sentinel"], "DOWNGRD 01");
}

// Fails without the client rule: the client's alert cut off, its stream
// continued with the ClientKeyExchange of a handshake that went on.
TEST_F(VersionNegotiation, AClientGoingOnAfterTheSentinelFails) {
  Downgrade went_on(pki_, false);
  Bytes s2c = went_on.s2c;
  std::memcpy(hello_random(s2c, 2) + 24, "DOWNGRD\x01", 8);
  TlsOverTcp w;
  w.b.scenario.protocol = "tls1.2";
  w.send("c2s", went_on.c2s, 300);
  w.send("s2c", s2c, 300);
  const auto r = check_->run(w.b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("c2s: the client offered TLS 1.3, got a TLS 1.2 ServerHello carrying DOWNGRD 01, and sent no "
                          "fatal illegal_parameter alert, but went on: client_key_exchange"),
            std::string::npos)
      << r.detail;
}

}  // namespace
}  // namespace wireproof::checks
