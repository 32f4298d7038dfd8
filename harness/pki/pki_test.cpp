#include "harness/pki/pki.hpp"
#include "impl/crypto/test_util.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace fs = std::filesystem;
using wireproof::pki::generate_pki;

namespace {

struct TempDir : wireproof::crypto::testing::TempDir {
  TempDir() : wireproof::crypto::testing::TempDir("wp_pki_test") {}
};

struct X509Free { void operator()(X509* x) const { X509_free(x); } };
using Cert = std::unique_ptr<X509, X509Free>;

Cert load_cert(const fs::path& p) {
  std::FILE* f = std::fopen(p.c_str(), "r");
  if (!f) return nullptr;
  Cert c(PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  return c;
}

// X509_verify_cert of leaf against the single trust anchor ca; returns the
// verify error code (X509_V_OK on success).
int verify(X509* leaf, X509* ca, const char* host = nullptr) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  if (host) X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx), host, 0);
  int rc = X509_verify_cert(ctx);
  int err = rc == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return err;
}

// What every PKI (random or seeded) generated for server name "peer.test" gives:
// both leaves chain to the CA, the server's names (DNS, IP) and both purposes.
void expect_usable_leaves(X509* ca, X509* server, X509* client) {
  EXPECT_EQ(verify(server, ca, "peer.test"), X509_V_OK);
  EXPECT_EQ(verify(client, ca), X509_V_OK);
  EXPECT_EQ(verify(server, ca, "other.test"), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(X509_check_ip_asc(server, "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_purpose(server, X509_PURPOSE_SSL_SERVER, 0), 1);
  EXPECT_EQ(X509_check_purpose(client, X509_PURPOSE_SSL_CLIENT, 0), 1);
}

mode_t file_mode(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

}  // namespace

TEST(Pki, WritesAllFilesWithPrivateKeyModes) {
  TempDir dir;
  auto files = generate_pki(dir.path);
  for (const auto& p : {files.ca_cert, files.ca_key, files.server_cert, files.server_key, files.client_cert,
                        files.client_key})
    EXPECT_TRUE(fs::is_regular_file(p)) << p;
  EXPECT_EQ(file_mode(files.ca_key), 0600u);
  EXPECT_EQ(file_mode(files.server_key), 0600u);
  EXPECT_EQ(file_mode(files.client_key), 0600u);
  EXPECT_EQ(files.server_cert, dir.path / "server.pem");
}

TEST(Pki, RegeneratingReplacesFilesAndKeepsModes) {
  TempDir dir;
  auto first = generate_pki(dir.path);
  auto old_ca = load_cert(first.ca_cert);
  auto second = generate_pki(dir.path);
  auto new_ca = load_cert(second.ca_cert);
  ASSERT_TRUE(old_ca && new_ca);
  EXPECT_NE(X509_cmp(old_ca.get(), new_ca.get()), 0) << "a new run must get a new CA";
  EXPECT_EQ(file_mode(second.server_key), 0600u);
}

TEST(Pki, LeavesVerifyAgainstTheirCaAndName) {
  TempDir dir;
  auto files = generate_pki(dir.path, "peer.test");
  auto ca = load_cert(files.ca_cert);
  auto server = load_cert(files.server_cert);
  auto client = load_cert(files.client_cert);
  ASSERT_TRUE(ca && server && client);
  expect_usable_leaves(ca.get(), server.get(), client.get());
}

TEST(Pki, LeafFromAnotherCaDoesNotVerify) {
  TempDir a, b;
  auto files_a = generate_pki(a.path);
  auto files_b = generate_pki(b.path);
  auto ca_a = load_cert(files_a.ca_cert);
  auto server_b = load_cert(files_b.server_cert);
  ASSERT_TRUE(ca_a && server_b);
  EXPECT_NE(verify(server_b.get(), ca_a.get()), X509_V_OK);
}

// SNI (TLS --host-cert): each host name gets a leaf that verifies for that
// name only, not for the default server name nor for the other host.
TEST(Pki, HostCertificatesVerifyForTheirOwnNameOnly) {
  TempDir dir;
  auto files = generate_pki(dir.path, "peer.test", {"a.example", "b.example"});
  ASSERT_EQ(files.hosts.size(), 2u);
  EXPECT_EQ(files.hosts[1].name, "b.example");
  EXPECT_EQ(files.hosts[1].cert, dir.path / "host-b.example.pem");
  EXPECT_EQ(file_mode(files.hosts[0].key), 0600u);
  auto ca = load_cert(files.ca_cert);
  auto a = load_cert(files.hosts[0].cert);
  auto b = load_cert(files.hosts[1].cert);
  ASSERT_TRUE(ca && a && b);
  EXPECT_EQ(verify(a.get(), ca.get(), "a.example"), X509_V_OK);
  EXPECT_EQ(verify(b.get(), ca.get(), "b.example"), X509_V_OK);
  EXPECT_EQ(verify(a.get(), ca.get(), "b.example"), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(verify(b.get(), ca.get(), "peer.test"), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(X509_check_purpose(a.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
  // The two keys differ (a host certificate is not the default one re-signed).
  EXPECT_NE(X509_cmp(a.get(), b.get()), 0);
}

// No SNI (TLS --ip-cert): the IP leaf verifies for its address only (IPv4 or
// IPv6), names no host, and is absent unless asked for.
TEST(Pki, IpCertificateVerifiesForItsAddressOnly) {
  TempDir dir;
  EXPECT_TRUE(generate_pki(dir.path / "none").ip_cert.empty());
  auto v4 = generate_pki(dir.path / "v4", "peer.test", {}, "198.18.0.2");
  EXPECT_EQ(v4.ip_cert, dir.path / "v4" / "ip.pem");
  EXPECT_EQ(file_mode(v4.ip_key), 0600u);
  auto ca = load_cert(v4.ca_cert);
  auto ip = load_cert(v4.ip_cert);
  ASSERT_TRUE(ca && ip);
  EXPECT_EQ(verify(ip.get(), ca.get()), X509_V_OK);
  EXPECT_EQ(X509_check_ip_asc(ip.get(), "198.18.0.2", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(ip.get(), "127.0.0.1", 0), 0);
  EXPECT_EQ(verify(ip.get(), ca.get(), "peer.test"), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(X509_check_purpose(ip.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
  auto v6 = generate_pki(dir.path / "v6", "peer.test", {}, "2001:db8::2");
  auto ip6 = load_cert(v6.ip_cert);
  ASSERT_TRUE(ip6);
  EXPECT_EQ(X509_check_ip_asc(ip6.get(), "2001:db8::2", 0), 1);
  EXPECT_THROW(generate_pki(dir.path / "bad", "peer.test", {}, "peer.test"), std::invalid_argument);
  EXPECT_THROW(generate_pki(dir.path / "bad", "peer.test", {}, "1.2.3.4,DNS:x"), std::invalid_argument);
}

TEST(Pki, RejectsAHostNameThatIsNotADnsName) {
  TempDir dir;
  EXPECT_THROW(generate_pki(dir.path, "peer.test", {"a.example", "x=y:z"}), std::invalid_argument);
  EXPECT_THROW(generate_pki(dir.path, "peer.test", {""}), std::invalid_argument);
}

TEST(Pki, RejectsEmptyServerName) {
  TempDir dir;
  EXPECT_THROW(generate_pki(dir.path, ""), std::invalid_argument);
}

namespace {
std::string slurp(const fs::path& p) {
  std::FILE* f = std::fopen(p.c_str(), "rb");
  if (!f) return {};
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  std::fclose(f);
  return out;
}
std::vector<fs::path> all(const wireproof::pki::PkiFiles& f) {
  return {f.ca_cert, f.ca_key, f.server_cert, f.server_key, f.client_cert, f.client_key};
}
}  // namespace

using wireproof::pki::generate_seeded_pki;

TEST(SeededPki, SameSeedSameBytesOtherSeedOtherBytes) {
  TempDir a, b, c;
  auto fa = all(generate_seeded_pki(a.path, 42));
  auto fb = all(generate_seeded_pki(b.path, 42));
  auto fc = all(generate_seeded_pki(c.path, 43));
  for (std::size_t i = 0; i < fa.size(); ++i) {
    SCOPED_TRACE(fa[i].filename().string());
    EXPECT_FALSE(slurp(fa[i]).empty());
    EXPECT_EQ(slurp(fa[i]), slurp(fb[i]));
    EXPECT_NE(slurp(fa[i]), slurp(fc[i]));
  }
  // Regenerating in place gives the same bytes again and keeps the key modes.
  auto again = all(generate_seeded_pki(a.path, 42));
  for (std::size_t i = 0; i < fa.size(); ++i) EXPECT_EQ(slurp(again[i]), slurp(fb[i])) << again[i];
  EXPECT_EQ(file_mode(a.path / "server.key"), 0600u);
  EXPECT_EQ(file_mode(a.path / "ca.key"), 0600u);
  EXPECT_EQ(file_mode(a.path / "ca.pem"), 0644u);
}

TEST(SeededPki, Ed25519LeavesVerifyAgainstTheirCaWithFixedValidity) {
  TempDir dir;
  auto files = generate_seeded_pki(dir.path, 7, "peer.test");
  auto ca = load_cert(files.ca_cert);
  auto server = load_cert(files.server_cert);
  auto client = load_cert(files.client_cert);
  ASSERT_TRUE(ca && server && client);
  for (X509* c : {ca.get(), server.get(), client.get()}) {
    EXPECT_TRUE(EVP_PKEY_is_a(X509_get0_pubkey(c), "ED25519"));
    EXPECT_EQ(X509_get_signature_nid(c), NID_ED25519);
    EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_get0_notBefore(c), 1577836800), 0);  // 2020-01-01T00:00:00Z
    EXPECT_EQ(ASN1_TIME_cmp_time_t(X509_get0_notAfter(c), 4102444799), 0);   // 2099-12-31T23:59:59Z
    const ASN1_INTEGER* serial = X509_get0_serialNumber(c);
    EXPECT_EQ(serial->type, V_ASN1_INTEGER) << "positive";
    EXPECT_EQ(serial->length, 16);
  }
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(server.get()), X509_get0_serialNumber(client.get())), 0);
  expect_usable_leaves(ca.get(), server.get(), client.get());
  EXPECT_EQ(X509_check_ca(ca.get()), 1);

  // A CA from another seed does not vouch for these leaves.
  TempDir other;
  auto foreign_ca = load_cert(generate_seeded_pki(other.path, 8, "peer.test").ca_cert);
  ASSERT_TRUE(foreign_ca);
  EXPECT_NE(verify(server.get(), foreign_ca.get(), "peer.test"), X509_V_OK);

  // The private keys match their certificates.
  std::FILE* f = std::fopen(files.server_key.c_str(), "r");
  ASSERT_TRUE(f);
  EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  ASSERT_TRUE(key);
  EXPECT_EQ(X509_check_private_key(server.get(), key), 1);
  EXPECT_NE(X509_check_private_key(client.get(), key), 1);
  EVP_PKEY_free(key);
}

TEST(SeededPki, RejectsEmptyServerName) {
  TempDir dir;
  EXPECT_THROW(generate_seeded_pki(dir.path, 1, ""), std::invalid_argument);
}
