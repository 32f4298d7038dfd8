// Negotiated features end to end over the in-memory link: RSA certificates,
// Ed25519 certificates on ECDSA suites, client authentication, SNI certificate
// choice, ALPN, PSK, renegotiation refusal.
#include <gtest/gtest.h>

#include <openssl/x509v3.h>

#include <fstream>

#include "harness/pki/pki.hpp"
#include "impl/crypto/test_util.hpp"
#include "impl/dtls/fragmenter.hpp"
#include "impl/dtls/memory_link.hpp"
#include "impl/dtls/messages.hpp"
#include "impl/dtls/record.hpp"

namespace wd = wireproof::dtls;
namespace wc = wireproof::crypto;
using wd::testing::MemoryLink;
using namespace std::chrono_literals;

namespace {

struct Pki {
  wc::testing::TempDir dir;
  wireproof::pki::PkiFiles a = wireproof::pki::generate_pki(dir.path / "a", "a.test");
  wireproof::pki::PkiFiles b = wireproof::pki::generate_pki(dir.path / "b", "b.test");
  std::shared_ptr<const wc::Credential> server_a = wc::Credential::load(a.server_cert, a.server_key);
  std::shared_ptr<const wc::Credential> server_b = wc::Credential::load(b.server_cert, b.server_key);
  std::shared_ptr<const wc::Credential> client_a = wc::Credential::load(a.client_cert, a.client_key);
  std::shared_ptr<const wc::Credential> client_b = wc::Credential::load(b.client_cert, b.client_key);
  std::shared_ptr<const wc::TrustStore> trust_a = wc::TrustStore::from_ca_file(a.ca_cert);
  std::shared_ptr<const wc::TrustStore> trust_both;
  Pki() {
    std::ofstream both(dir.path / "both.pem");
    both << std::ifstream(a.ca_cert).rdbuf() << std::ifstream(b.ca_cert).rdbuf();
    both.close();
    trust_both = wc::TrustStore::from_ca_file(dir.path / "both.pem");
    std::filesystem::remove_all(dir.path);  // all in memory; pki() never destroys its Pki
  }
};
const Pki& pki() {
  static const Pki* p = new Pki();
  return *p;
}

// A self-signed RSA-2048 certificate for ECDHE_RSA (harness/pki makes ECDSA only).
std::shared_ptr<const wc::Credential> rsa_credential(const std::string& cn) {
  auto cred = std::make_shared<wc::Credential>();
  cred->key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
  wc::X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), cred->key.get());
  X509_sign(cert.get(), cred->key.get(), EVP_sha256());
  cred->chain.certs.push_back(std::move(cert));
  return cred;
}

wd::ConnectionConfig client(const std::string& name = "a.test") {
  wd::ConnectionConfig c;
  c.handshake.server_name = name;
  c.handshake.trust = pki().trust_both;
  return c;
}
wd::ConnectionConfig server() {
  wd::ConnectionConfig c;
  c.handshake.credential = pki().server_a;
  return c;
}

}  // namespace

namespace {
// The epoch-0 handshake messages (type, body) of a datagram; enough for
// unfragmented messages, which the default MTU gives these small flights.
std::vector<std::pair<int, wc::Bytes>> plaintext_messages(const wc::Bytes& datagram) {
  std::vector<std::pair<int, wc::Bytes>> out;
  wireproof::bytes::Reader r(datagram);
  wd::RecordHeader h;
  std::span<const std::uint8_t> frag;
  while (wd::read_record(r, h, frag))
    if (h.epoch == 0 && h.type == wd::ContentType::handshake && frag.size() >= 12)
      out.emplace_back(frag[0], wc::Bytes(frag.begin() + 12, frag.end()));
  return out;
}
wc::RandomSource counter_source(std::uint8_t start) {  // reproducible test source, not a CSPRNG
  return [n = start](std::span<std::uint8_t> out) mutable {
    for (auto& b : out) b = n++;
  };
}
}  // namespace

// RFC 8422 5.3: the ECDHE_ECDSA suites cover EdDSA certificates; the server signs
// ServerKeyExchange and the client CertificateVerify with ed25519 (0x0807).
// Ed25519 is deterministic, so with seeded random sources the whole exchange
// repeats byte for byte.
TEST(Features, Ed25519CertificatesOnEcdsaSuites) {
  wc::testing::TempDir dir;
  auto files = wireproof::pki::generate_seeded_pki(dir.path, 11, "ed.test");
  auto trust = wc::TrustStore::from_ca_file(files.ca_cert);
  auto run = [&] {
    wd::ConnectionConfig c;
    c.handshake.server_name = "ed.test";
    c.handshake.trust = trust;
    c.handshake.credential = wc::Credential::load(files.client_cert, files.client_key);
    c.random = counter_source(1);
    wd::ConnectionConfig s;
    s.handshake.credential = wc::Credential::load(files.server_cert, files.server_key);
    s.handshake.trust = trust;
    s.handshake.request_client_cert = s.handshake.require_client_cert = true;
    s.peer_address = {127, 0, 0, 1, 0x12, 0x34};
    s.random = counter_source(101);
    auto link = std::make_unique<MemoryLink>(c, s);
    EXPECT_TRUE(link->run_until_established(5s)) << link->client->error() << link->server->error();
    return link;
  };
  auto link = run();
  EXPECT_TRUE(link->client->handshake().peer_authenticated());
  EXPECT_TRUE(link->server->handshake().peer_authenticated());
  ASSERT_TRUE(link->client->cipher_suite());
  EXPECT_EQ(link->client->cipher_suite()->kx, wd::KeyExchange::ecdhe_ecdsa);

  int ske_seen = 0, cv_seen = 0;
  for (const auto& sent : link->log)
    for (const auto& [type, body] : plaintext_messages(sent.data)) {
      if (type == 12) {  // server_key_exchange
        std::string err;
        auto ske = wd::decode_ecdhe_server_key_exchange(body, err);
        ASSERT_TRUE(ske) << err;
        EXPECT_EQ(ske->scheme, 0x0807);
        EXPECT_EQ(ske->signature.size(), 64u);
        ++ske_seen;
      } else if (type == 15) {  // certificate_verify: scheme(2) || signature<2>
        ASSERT_GE(body.size(), 4u);
        EXPECT_EQ(body[0] << 8 | body[1], 0x0807);
        ++cv_seen;
      }
    }
  EXPECT_EQ(ske_seen, 1);
  EXPECT_EQ(cv_seen, 1);

  auto again = run();
  ASSERT_EQ(again->log.size(), link->log.size());
  for (std::size_t i = 0; i < link->log.size(); ++i) EXPECT_EQ(again->log[i].data, link->log[i].data) << i;
}

TEST(Features, EcdheRsaSuitesWithRsaCertificate) {
  {
    // Default offer: the server skips the ECDSA suites it cannot serve.
    auto c = client();
    c.handshake.trust = nullptr;  // self-signed: no chain to verify
    auto s = server();
    s.handshake.credential = rsa_credential("rsa.test");
    MemoryLink link(c, s);
    ASSERT_TRUE(link.run_until_established(5s)) << link.client->error() << link.server->error();
    EXPECT_EQ(link.client->cipher_suite()->code, 0xc02f);
  }
  // Forcing each suite from the client side.
  for (std::uint16_t suite : {0xc02f, 0xc030, 0xcca8}) {
    auto c = client();
    c.handshake.trust = nullptr;
    c.handshake.cipher_suites = {suite};
    auto s = server();
    s.handshake.credential = rsa_credential("rsa.test");
    MemoryLink link(c, s);
    ASSERT_TRUE(link.run_until_established(5s)) << link.client->error() << link.server->error();
    EXPECT_EQ(link.server->cipher_suite()->code, suite);
  }
}

TEST(Features, EcdsaOnlyClientAgainstRsaServerFails) {
  auto c = client();
  c.handshake.trust = nullptr;
  c.handshake.cipher_suites = {0xc02b};
  auto s = server();
  s.handshake.credential = rsa_credential("rsa.test");
  MemoryLink link(c, s);
  link.run_until([&] { return link.client->state() == wd::State::failed; }, 5s);
  EXPECT_EQ(link.server->state(), wd::State::failed);
  EXPECT_NE(link.server->error().find("no cipher suite in common"), std::string::npos);
  auto alerts = link.client->take_alerts();
  ASSERT_FALSE(alerts.empty());
  EXPECT_EQ(alerts[0].description, wd::kHandshakeFailure);
}

TEST(Features, ClientCertificateVerifiedByServer) {
  auto c = client();
  c.handshake.credential = pki().client_a;
  auto s = server();
  s.handshake.trust = pki().trust_a;
  s.handshake.request_client_cert = s.handshake.require_client_cert = true;
  MemoryLink link(c, s);
  ASSERT_TRUE(link.run_until_established(5s)) << link.client->error() << link.server->error();
  EXPECT_TRUE(link.server->handshake().peer_authenticated());
}

TEST(Features, RequiredClientCertificateMissingFails) {
  auto s = server();
  s.handshake.trust = pki().trust_a;
  s.handshake.request_client_cert = s.handshake.require_client_cert = true;
  MemoryLink link(client(), s);
  link.run_until([&] { return link.server->state() == wd::State::failed; }, 5s);
  ASSERT_EQ(link.server->state(), wd::State::failed);
  EXPECT_NE(link.server->error().find("no certificate"), std::string::npos);
}

TEST(Features, ClientCertificateFromUntrustedCaRefused) {
  auto c = client();
  c.handshake.credential = pki().client_b;  // CA b; the server trusts only CA a
  auto s = server();
  s.handshake.trust = pki().trust_a;
  s.handshake.request_client_cert = true;
  MemoryLink link(c, s);
  link.run_until([&] { return link.server->state() == wd::State::failed; }, 5s);
  ASSERT_EQ(link.server->state(), wd::State::failed);
  EXPECT_NE(link.server->error().find("client certificate"), std::string::npos);
}

TEST(Features, ServerPicksCertificateBySni) {
  auto s = server();
  s.handshake.sni_credentials = {pki().server_a, pki().server_b};
  for (const char* name : {"a.test", "b.test"}) {
    MemoryLink link(client(name), s);
    ASSERT_TRUE(link.run_until_established(5s)) << name << ": " << link.client->error();
    EXPECT_EQ(link.server->handshake().sni(), name);
    EXPECT_TRUE(link.client->handshake().peer_authenticated());  // host check passed for that name
  }
  // A name no certificate carries: the default (a.test) is sent and the client's host check fails.
  MemoryLink link(client("c.test"), s);
  link.run_until([&] { return link.client->state() == wd::State::failed; }, 5s);
  EXPECT_EQ(link.client->state(), wd::State::failed);
}

TEST(Features, AlpnNegotiatedAndMismatchRefused) {
  auto c = client();
  c.handshake.alpn = {"coap", "echo"};
  auto s = server();
  s.handshake.alpn = {"echo", "coap"};  // server preference wins
  {
    MemoryLink link(c, s);
    ASSERT_TRUE(link.run_until_established(5s));
    EXPECT_EQ(link.client->handshake().alpn(), "echo");
    EXPECT_EQ(link.server->handshake().alpn(), "echo");
  }
  s.handshake.alpn = {"h2"};
  MemoryLink link(c, s);
  link.run_until([&] { return link.client->state() == wd::State::failed; }, 5s);
  auto alerts = link.client->take_alerts();
  ASSERT_FALSE(alerts.empty());
  EXPECT_EQ(alerts[0].description, wd::kNoApplicationProtocol);
}

TEST(Features, PskHandshakeAndWrongKey) {
  auto c = client();
  c.handshake.cipher_suites = {0x00a8};
  c.handshake.psk = wd::Psk{"client1", wc::Bytes(16, 0x42), ""};
  auto s = server();
  s.handshake.cipher_suites = {0x00a8};
  s.handshake.psk = wd::Psk{"client1", wc::Bytes(16, 0x42), "hint"};
  {
    MemoryLink link(c, s);
    ASSERT_TRUE(link.run_until_established(5s)) << link.client->error() << link.server->error();
    EXPECT_STREQ(link.client->cipher_suite()->name, "PSK-AES128-GCM-SHA256");
    EXPECT_TRUE(link.client->handshake().peer_authenticated());
  }
  // A different key: the client's Finished fails record authentication at the
  // server and is discarded silently (RFC 6347 4.1.2.7); the handshake never completes.
  c.handshake.psk->key = wc::Bytes(16, 0x43);
  MemoryLink link(c, s);
  EXPECT_FALSE(link.run_until_established(3s));
  EXPECT_GE(link.server->record_stats().auth_failures, 1u);
  EXPECT_NE(link.server->state(), wd::State::established);
}

TEST(Features, RequireEmsRefusesPeerWithout) {
  auto s = server();
  s.handshake.require_ems = true;
  MemoryLink ok(client(), s);
  EXPECT_TRUE(ok.run_until_established(5s));
  EXPECT_TRUE(ok.server->handshake().ems());
}

TEST(Features, RenegotiationRefusedWithWarning) {
  MemoryLink link(client(), server());
  ASSERT_TRUE(link.run_until_established(5s));
  // A new ClientHello (next message_seq) after the handshake: refused with a
  // no_renegotiation warning, and the connection stays up (RFC 5746 4.2 / 5246 7.2.2).
  wireproof::bytes::Writer w;
  wd::ClientHello ch;
  ch.random = wc::Bytes(32, 1);
  ch.cipher_suites = {0xc02b};
  auto msg = wd::whole_message(1, 4, wd::encode(ch, true));  // client used 0..3
  wd::write_record_header(w, {wd::ContentType::handshake, wd::kDtls12, 0, 99, static_cast<std::uint16_t>(msg.size())});
  w.put_bytes(msg);
  link.server->feed(w.data(), link.now);
  auto alerts = link.server->take_alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].level, 1);
  EXPECT_EQ(alerts[0].description, wd::kNoRenegotiation);
  EXPECT_EQ(link.server->state(), wd::State::established);
}
