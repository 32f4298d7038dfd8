// The shipped registry's patterns against lines the real tools printed
// (captured from openssl 3.0 s_client/s_server -brief and gnutls 3.7 -d 5).
#include "peers/stock/tool_output.hpp"

#include <gtest/gtest.h>

#include "peers/stock/cipher_names.hpp"
#include "peers/common/line_frame.hpp"
#include "harness/registry/registry.hpp"

namespace wireproof::stock {
namespace {

using Kind = Observation::Kind;

class ToolOutput : public ::testing::Test {
 protected:
  registry::Registry reg = registry::Registry::load(registry::default_registry_file());
  const registry::ToolSpec& openssl = *reg.find("openssl-cli").tool;
  const registry::ToolSpec& gnutls = *reg.find("gnutls-cli").tool;

  static std::vector<Observation> of(const registry::ToolSpec& t, bool server, const std::string& stream,
                                     const std::string& line) {
    return classify_line(server ? t.server : t.client, t, stream, line);
  }
  static std::optional<Observation> only(const std::vector<Observation>& v) {
    if (v.size() != 1) return std::nullopt;
    return v[0];
  }
};

TEST_F(ToolOutput, OpensslClientHandshakeSummary) {
  EXPECT_EQ(only(of(openssl, false, "stderr", "CONNECTION ESTABLISHED"))->kind, Kind::handshake_done);
  auto v = only(of(openssl, false, "stderr", "Protocol version: DTLSv1.2"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->kind, Kind::version);
  EXPECT_EQ(v->text, "DTLSv1.2");
  auto c = only(of(openssl, false, "stderr", "Ciphersuite: ECDHE-ECDSA-AES256-GCM-SHA384"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, Kind::cipher);
  EXPECT_EQ(c->text, "ECDHE-ECDSA-AES256-GCM-SHA384");
  EXPECT_TRUE(of(openssl, false, "stderr", "Verification: OK").empty());
  EXPECT_TRUE(of(openssl, false, "stderr", "Client cipher list: A:B").empty());
}

TEST_F(ToolOutput, OpensslReceivedAlertAndError) {
  const std::string line =
      "401759ECD37F0000:error:0A000418:SSL routines:dtls1_read_bytes:tlsv1 alert unknown ca:"
      "../ssl/record/rec_layer_d1.c:675:SSL alert number 48";
  auto v = of(openssl, true, "stderr", line);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].kind, Kind::alert);
  EXPECT_EQ(v[0].direction, "received");
  EXPECT_EQ(v[0].level, "fatal");
  EXPECT_EQ(v[0].description, "unknown_ca");
  EXPECT_EQ(v[1].kind, Kind::error);
  EXPECT_EQ(v[1].text, line);
  EXPECT_EQ(only(of(openssl, false, "stderr", "write:errno=111"))->kind, Kind::error);
}

TEST_F(ToolOutput, GnutlsLogLines) {
  auto v = only(of(gnutls, true, "stderr", "|<4>| HSK[0x55c56b6966d0]: Selected version DTLS1.2"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->kind, Kind::version);
  EXPECT_EQ(v->text, "DTLSv1.2");  // through version_names
  auto c = only(of(gnutls, false, "stderr",
                   "|<4>| HSK[0x556ff7a46180]: Selected cipher suite: GNUTLS_ECDHE_ECDSA_AES_256_GCM_SHA384"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->text, "GNUTLS_ECDHE_ECDSA_AES_256_GCM_SHA384");
  EXPECT_EQ(only(of(gnutls, false, "stdout", "- Handshake was completed"))->kind, Kind::handshake_done);
  EXPECT_EQ(only(of(gnutls, true, "stderr", "UDP Echo Server listening on IPv4 0.0.0.0 port 45003...done"))->kind,
            Kind::ready);

  auto closed = only(of(gnutls, true, "stderr", "|<5>| REC[0x558a76a676d0]: Alert[1|0] - Close notify - was received"));
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->kind, Kind::closed);
  EXPECT_EQ(closed->text, "close_notify");
  EXPECT_EQ(only(of(gnutls, false, "stderr", "|<5>| REC: Sending Alert[1|0] - Close notify"))->kind, Kind::close_sent);

  auto bad = only(of(gnutls, true, "stderr", "|<5>| REC[0x562f9d2d56d0]: Alert[2|42] - Certificate is bad - was received"));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->kind, Kind::alert);
  EXPECT_EQ(bad->level, "fatal");
  EXPECT_EQ(bad->description, "bad_certificate");
  EXPECT_EQ(only(of(gnutls, false, "stdout", "*** Fatal error: Error in the certificate."))->text,
            "Fatal error: Error in the certificate.");
}

TEST_F(ToolOutput, DataLinesOnlyFromTheDataStream) {
  std::vector<std::uint8_t> chunk{0, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3};
  std::string line = peers::encode_line(chunk);
  line.pop_back();
  // gnutls-serv logs what it echoes on stderr, behind a prefix.
  auto d = only(of(gnutls, true, "stderr", "*** Processing 35 bytes command: " + line));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, Kind::data);
  EXPECT_EQ(d->chunk, chunk);
  EXPECT_TRUE(of(gnutls, true, "stdout", line).empty());  // its stdout is not a data stream
  EXPECT_EQ(only(of(openssl, false, "stdout", line))->kind, Kind::data);
  line[5] ^= 1;  // corrupt: no data, nothing else either
  EXPECT_TRUE(of(openssl, false, "stdout", line).empty());
}

// TLS lines captured from the same tools over TCP.
TEST_F(ToolOutput, TlsRolesReadGroupVersionAlpnAndOneDataLinePerRecord) {
  const registry::RoleSpec& oc = *openssl.role_for("tls1.3", false);
  const registry::RoleSpec& gc = *gnutls.role_for("tls1.3", false);
  const registry::RoleSpec& gs = *gnutls.role_for("tls1.3", true);
  auto g = only(classify_line(oc, openssl, "stderr", "Server Temp Key: X25519, 253 bits"));
  ASSERT_TRUE(g);
  EXPECT_EQ(g->kind, Kind::group);
  EXPECT_EQ(g->text, "x25519");
  EXPECT_EQ(only(classify_line(oc, openssl, "stderr", "Server Temp Key: ECDH, prime256v1, 256 bits"))->text,
            "secp256r1");  // group_names
  EXPECT_EQ(only(classify_line(gs, gnutls, "stderr", "|<4>| HSK[0x5591396b5890]: Selected group SECP256R1 (2)"))->text,
            "secp256r1");
  auto v = only(classify_line(gc, gnutls, "stdout",
                              "- Description: (TLS1.3-X.509)-(ECDHE-SECP256R1)-(ECDSA-SECP256R1-SHA256)-(AES-256-GCM)"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->kind, Kind::version);
  EXPECT_EQ(v->text, "TLSv1.3");
  auto a = only(classify_line(gc, gnutls, "stdout", "- Application protocol: h2"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->kind, Kind::alpn);
  EXPECT_EQ(a->text, "h2");
  // gnutls-serv's two handshake_done parts.
  EXPECT_EQ(only(classify_line(gs, gnutls, "stderr", "|<4>| HSK[0x55]: FINISHED was queued [52 bytes]"))->part, 0u);
  EXPECT_EQ(only(classify_line(gs, gnutls, "stderr", "|<4>| HSK[0x55]: FINISHED (20) was received. Length 48[48]"))->part,
            1u);
  const std::vector<std::uint8_t> chunk{0, 0, 0, 0, 0, 0, 0, 1, 9};
  std::string line = peers::encode_line(chunk);
  line.pop_back();
  EXPECT_TRUE(classify_line(gs, gnutls, "stderr", "received cmd: " + line).empty());
  EXPECT_EQ(only(classify_line(gs, gnutls, "stderr", "*** Processing 31 bytes command: " + line))->kind, Kind::data);
}

TEST(CipherNames, EverySpellingMapsToBothContractNames) {
  for (const std::string printed : {"GNUTLS_ECDHE_ECDSA_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384",
                                    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"}) {
    auto n = identify_cipher(printed);
    ASSERT_TRUE(n) << printed;
    EXPECT_EQ(n->openssl, "ECDHE-ECDSA-AES256-GCM-SHA384") << printed;
    EXPECT_EQ(n->iana, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384") << printed;
  }
  // TLS 1.3 suites, as GnuTLS and OpenSSL print them.
  for (const std::string printed : {"GNUTLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384"}) {
    auto n = identify_cipher(printed);
    ASSERT_TRUE(n) << printed;
    EXPECT_EQ(n->openssl, "TLS_AES_256_GCM_SHA384");
    EXPECT_EQ(n->iana, "TLS_AES_256_GCM_SHA384");
  }
  auto chacha = identify_cipher("GNUTLS_ECDHE_RSA_CHACHA20_POLY1305");
  ASSERT_TRUE(chacha);
  EXPECT_EQ(chacha->openssl, "ECDHE-RSA-CHACHA20-POLY1305");
  EXPECT_FALSE(identify_cipher("NOT-A-SUITE"));
  EXPECT_FALSE(identify_cipher("GNUTLS_NOT_A_SUITE"));
}

TEST(AlertName, NumbersAndWordsBecomeRfcNames) {
  EXPECT_EQ(alert_name("40"), "handshake_failure");
  EXPECT_EQ(alert_name("unknown ca"), "unknown_ca");
}

}  // namespace
}  // namespace wireproof::stock
