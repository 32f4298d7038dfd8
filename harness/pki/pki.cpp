#include "harness/pki/pki.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "impl/crypto/evp_ptr.hpp"
#include "impl/crypto/random.hpp"

namespace wireproof::pki {
namespace {

using crypto::FreeWith;
using PKey = crypto::PkeyPtr;
using Cert = crypto::X509Ptr;
using Bio = crypto::BioPtr;
using Ext = std::unique_ptr<X509_EXTENSION, FreeWith<X509_EXTENSION_free>>;
using Bn = std::unique_ptr<BIGNUM, FreeWith<BN_free>>;

[[noreturn]] void fail(std::string_view step) {
  char buf[256] = "no OpenSSL error queued";
  if (unsigned long e = ERR_get_error()) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  throw std::runtime_error("generate_pki: " + std::string(step) + " failed: " + buf);
}

void check(int ok, std::string_view step) {
  if (ok != 1) fail(step);
}

// Where one PKI's keys, serials and validity come from, and the digest
// X509_sign uses (nullptr for Ed25519, which hashes internally). `label`
// names the certificate: "ca", "server" or "client".
struct Recipe {
  std::function<PKey(std::string_view label)> key;
  std::function<Bn(std::string_view label)> serial;
  std::function<void(X509* cert)> validity;
  const EVP_MD* md = nullptr;
};

Recipe random_recipe() {
  Recipe r;
  r.key = [](std::string_view) {
    PKey key(EVP_EC_gen("P-256"));
    if (!key) fail("EVP_EC_gen(P-256)");
    return key;
  };
  r.serial = [](std::string_view) {
    Bn serial(BN_new());
    if (!serial) fail("BN_new");
    check(BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "BN_rand(serial)");
    return serial;
  };
  r.validity = [](X509* cert) {
    // Back-dated an hour so that small clock differences never matter.
    if (!X509_gmtime_adj(X509_getm_notBefore(cert), -3600)) fail("notBefore");
    if (!X509_gmtime_adj(X509_getm_notAfter(cert), 2L * 24 * 3600)) fail("notAfter");
  };
  r.md = EVP_sha256();
  return r;
}

Recipe seeded_recipe(std::uint64_t seed) {
  // n bytes of the seeded stream named after the certificate and the use.
  auto derive = [seed](std::string_view label, std::string_view what, std::size_t n) {
    return crypto::random_bytes(
        n, crypto::seeded_random(seed, "wireproof pki " + std::string(label) + " " + std::string(what)));
  };
  Recipe r;
  r.key = [derive](std::string_view label) {
    crypto::Bytes priv = derive(label, "key", 32);  // any 32 bytes are an Ed25519 private key (RFC 8032 5.1.5)
    PKey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, priv.data(), 32));
    OPENSSL_cleanse(priv.data(), priv.size());
    if (!key) fail("EVP_PKEY_new_raw_private_key(ED25519)");
    return key;
  };
  r.serial = [derive](std::string_view label) {
    crypto::Bytes b = derive(label, "serial", 16);
    b[0] = static_cast<std::uint8_t>((b[0] & 0x7f) | 0x40);  // positive, always 127 bits: a fixed-size encoding
    Bn serial(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr));
    if (!serial) fail("BN_bin2bn(serial)");
    return serial;
  };
  r.validity = [](X509* cert) {
    // ASN1_TIME_set_string_X509 picks UTCTime or GeneralizedTime as RFC 5280 4.1.2.5 requires.
    check(ASN1_TIME_set_string_X509(X509_getm_notBefore(cert), "20200101000000Z"), "notBefore");
    check(ASN1_TIME_set_string_X509(X509_getm_notAfter(cert), "20991231235959Z"), "notAfter");
  };
  r.md = nullptr;
  return r;
}

// Adds one v3 extension written in openssl.cnf syntax ("critical,CA:TRUE").
void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  Ext ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext) fail(std::string("extension ") + OBJ_nid2sn(nid) + "=" + value);
  check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext");
}

// An unsigned certificate for `key`, named CN=common_name, issued by `issuer`
// (null: self-issued, the CA), serial and validity from the recipe (`label`
// names the certificate). Extensions and the signature come after.
Cert make_cert(const Recipe& r, std::string_view label, EVP_PKEY* key, const std::string& common_name,
               X509* issuer) {
  Cert cert(X509_new());
  if (!cert) fail("X509_new");
  check(X509_set_version(cert.get(), 2), "X509_set_version");

  Bn serial = r.serial(label);
  if (!BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) fail("BN_to_ASN1_INTEGER");
  r.validity(cert.get());

  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>("wireproof"), -1, -1, 0),
        "subject O");
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0),
        "subject CN");
  X509* signer = issuer ? issuer : cert.get();
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)), "X509_set_issuer_name");
  check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");
  return cert;
}

void sign(const Recipe& r, X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, r.md) <= 0) fail("X509_sign");
}

// Writes bytes to a fresh file created with `mode`; an old file is removed
// first so that O_CREAT really applies the mode (it is ignored for existing files).
void write_file(const std::filesystem::path& path, std::string_view bytes, mode_t mode) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    throw std::runtime_error("generate_pki: cannot replace " + path.string() + ": " + std::strerror(errno));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    throw std::runtime_error("generate_pki: cannot create " + path.string() + ": " + std::strerror(errno));
  std::unique_ptr<int, void (*)(int*)> closer(&fd, [](int* f) { ::close(*f); });
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      throw std::runtime_error("generate_pki: cannot write " + path.string() + ": " + std::strerror(errno));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

void write_cert(const std::filesystem::path& path, X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) fail("PEM_write_bio_X509");
  write_file(path, bio_contents(bio.get()), 0644);
}

void write_key(const std::filesystem::path& path, EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    fail("PEM_write_bio_PrivateKey");
  write_file(path, bio_contents(bio.get()), 0600);
}

// `san` in openssl.cnf syntax ("DNS:localhost,IP:127.0.0.1").
Cert make_leaf(const Recipe& r, std::string_view label, EVP_PKEY* key, const std::string& cn, const std::string& san,
               X509* ca, EVP_PKEY* ca_key) {
  Cert leaf = make_cert(r, label, key, cn, ca);
  add_ext(leaf.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
  add_ext(leaf.get(), ca, NID_key_usage, "critical,digitalSignature");
  add_ext(leaf.get(), ca, NID_ext_key_usage, "serverAuth,clientAuth");
  add_ext(leaf.get(), ca, NID_subject_alt_name, san.c_str());
  add_ext(leaf.get(), ca, NID_subject_key_identifier, "hash");
  add_ext(leaf.get(), ca, NID_authority_key_identifier, "keyid:always");
  sign(r, leaf.get(), ca_key);
  return leaf;
}

void require_name(const std::string& name, std::string_view what) {
  // The name goes into a SAN in openssl.cnf syntax and into a file name.
  if (name.empty() || name.find_first_of(",/:= ") != std::string::npos || name.front() == '.')
    throw std::invalid_argument("generate_pki: " + std::string(what) + " must be a non-empty DNS name, got '" + name +
                                "'");
}

void require_ip(const std::string& address) {
  in_addr a4{};
  in6_addr a6{};
  if (::inet_pton(AF_INET, address.c_str(), &a4) != 1 && ::inet_pton(AF_INET6, address.c_str(), &a6) != 1)
    throw std::invalid_argument("generate_pki: ip_address must be an IPv4 or IPv6 literal, got '" + address + "'");
}

// One more server leaf signed by the CA, written to cert / key.
void write_server_leaf(const Recipe& r, const std::string& label, const std::string& cn, const std::string& san,
                       X509* ca, EVP_PKEY* ca_key, const std::filesystem::path& cert_path,
                       const std::filesystem::path& key_path) {
  PKey key = r.key(label);
  Cert cert = make_leaf(r, label, key.get(), cn, san, ca, ca_key);
  write_key(key_path, key.get());
  write_cert(cert_path, cert.get());
}

PkiFiles generate(const std::filesystem::path& dir, const std::string& server_name,
                  const std::vector<std::string>& host_names, const std::string& ip_address, const Recipe& r) {
  require_name(server_name, "server_name");
  for (const auto& h : host_names) require_name(h, "a host name");
  if (!ip_address.empty()) require_ip(ip_address);
  std::filesystem::create_directories(dir);
  PkiFiles files{dir / "ca.pem",     dir / "ca.key",     dir / "server.pem",
                 dir / "server.key", dir / "client.pem", dir / "client.key"};

  PKey ca_key = r.key("ca");
  Cert ca = make_cert(r, "ca", ca_key.get(), "wireproof throwaway CA", nullptr);
  add_ext(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_ext(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
  sign(r, ca.get(), ca_key.get());

  PKey server_key = r.key("server");
  const std::string san = "DNS:" + server_name + ",IP:127.0.0.1";
  Cert server = make_leaf(r, "server", server_key.get(), server_name, san, ca.get(), ca_key.get());
  PKey client_key = r.key("client");
  Cert client = make_leaf(r, "client", client_key.get(), "wireproof client", san, ca.get(), ca_key.get());
  for (const auto& name : host_names) {
    HostCert h{name, dir / ("host-" + name + ".pem"), dir / ("host-" + name + ".key")};
    write_server_leaf(r, "host " + name, name, "DNS:" + name, ca.get(), ca_key.get(), h.cert, h.key);
    files.hosts.push_back(std::move(h));
  }
  if (!ip_address.empty()) {
    files.ip_cert = dir / "ip.pem";
    files.ip_key = dir / "ip.key";
    write_server_leaf(r, "ip " + ip_address, ip_address, "IP:" + ip_address, ca.get(), ca_key.get(), files.ip_cert,
                      files.ip_key);
  }

  write_key(files.ca_key, ca_key.get());
  write_cert(files.ca_cert, ca.get());
  write_key(files.server_key, server_key.get());
  write_cert(files.server_cert, server.get());
  write_key(files.client_key, client_key.get());
  write_cert(files.client_cert, client.get());
  return files;
}

}  // namespace

PkiFiles generate_pki(const std::filesystem::path& dir, const std::string& server_name,
                      const std::vector<std::string>& host_names, const std::string& ip_address) {
  return generate(dir, server_name, host_names, ip_address, random_recipe());
}

PkiFiles generate_seeded_pki(const std::filesystem::path& dir, std::uint64_t seed, const std::string& server_name,
                             const std::vector<std::string>& host_names, const std::string& ip_address) {
  return generate(dir, server_name, host_names, ip_address, seeded_recipe(seed));
}

}  // namespace wireproof::pki
