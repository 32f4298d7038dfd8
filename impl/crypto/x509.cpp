#include "impl/crypto/x509.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

namespace wireproof::crypto {

namespace {
// sk_X509_free is a macro, so it needs its own deleter. The stack borrows its certificates.
struct X509StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;

BioPtr open_file(const std::filesystem::path& file) {
  BioPtr bio(BIO_new_file(file.c_str(), "r"));
  if (!bio) throw CryptoError("cannot open " + file.string());
  return bio;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

bool host_matches(X509* cert, const std::string& host) {
  if (is_ip_literal(host)) return X509_check_ip_asc(cert, host.c_str(), 0) == 1;
  return X509_check_host(cert, host.data(), host.size(), 0, nullptr) == 1;
}
}  // namespace

EVP_PKEY* CertChain::leaf_key() const { return certs.empty() ? nullptr : X509_get0_pubkey(certs.front().get()); }

std::vector<Bytes> CertChain::to_der() const {
  std::vector<Bytes> out;
  for (const auto& c : certs) {
    int n = i2d_X509(c.get(), nullptr);
    if (n <= 0) throw CryptoError("i2d_X509");
    Bytes der(static_cast<std::size_t>(n));
    unsigned char* p = der.data();
    i2d_X509(c.get(), &p);
    out.push_back(std::move(der));
  }
  return out;
}

std::optional<CertChain> CertChain::from_der(const std::vector<Bytes>& ders) {
  CertChain chain;
  for (const auto& der : ders) {
    const unsigned char* p = der.data();
    X509Ptr c(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!c || p != der.data() + der.size()) return std::nullopt;  // trailing bytes are malformed too
    chain.certs.push_back(std::move(c));
  }
  return chain;
}

CertChain load_chain_pem(const std::filesystem::path& file) {
  BioPtr bio = open_file(file);
  CertChain chain;
  while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) chain.certs.emplace_back(c);
  ERR_clear_error();  // the loop ends on "no start line"
  if (chain.empty()) throw CryptoError("no certificate in " + file.string());
  return chain;
}

PkeyPtr load_private_key_pem(const std::filesystem::path& file) {
  BioPtr bio = open_file(file);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) throw CryptoError("no private key in " + file.string());
  return key;
}

std::shared_ptr<const Credential> Credential::load(const std::filesystem::path& cert_pem,
                                                   const std::filesystem::path& key_pem) {
  auto cred = std::make_shared<Credential>();
  cred->chain = load_chain_pem(cert_pem);
  cred->key = load_private_key_pem(key_pem);
  if (X509_check_private_key(cred->chain.certs.front().get(), cred->key.get()) != 1)
    throw CryptoError("private key " + key_pem.string() + " does not match certificate " + cert_pem.string());
  return cred;
}

bool Credential::matches_host(const std::string& host) const {
  return !chain.empty() && host_matches(chain.certs.front().get(), host);
}

std::shared_ptr<const TrustStore> TrustStore::from_ca_file(const std::filesystem::path& ca_pem) {
  auto ts = std::make_shared<TrustStore>();
  ts->store_.reset(X509_STORE_new());
  if (!ts->store_ || X509_STORE_load_file(ts->store_.get(), ca_pem.c_str()) != 1)
    throw CryptoError("cannot load CA file " + ca_pem.string());
  return ts;
}

VerifyResult TrustStore::verify(const CertChain& chain, Purpose purpose, const std::string& host) const {
  if (chain.empty()) return {false, "no certificate"};
  X509StackPtr untrusted(sk_X509_new_null());
  for (std::size_t i = 1; i < chain.certs.size(); ++i) sk_X509_push(untrusted.get(), chain.certs[i].get());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store_.get(), chain.certs.front().get(), untrusted.get()) != 1)
    return {false, "X509_STORE_CTX_init failed"};
  X509_STORE_CTX_set_purpose(ctx.get(), purpose == Purpose::server ? X509_PURPOSE_SSL_SERVER
                                                                   : X509_PURPOSE_SSL_CLIENT);
  if (X509_verify_cert(ctx.get()) != 1)
    return {false, X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()))};
  if (!host.empty() && !host_matches(chain.certs.front().get(), host))
    return {false, "certificate does not match host name " + host};
  return {true, {}};
}

}  // namespace wireproof::crypto
