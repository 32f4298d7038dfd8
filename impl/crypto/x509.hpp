// Certificates and keys: load PEM chains and private keys, DER encode/decode
// (the Certificate message carries DER, RFC 5246 7.4.2), and verify a peer's
// chain against a CA file with libcrypto's X509 verifier plus a host-name check.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "impl/crypto/evp_ptr.hpp"
#include "impl/crypto/types.hpp"

namespace wireproof::crypto {

// Leaf first, then intermediates, as sent in a Certificate message.
struct CertChain {
  std::vector<X509Ptr> certs;
  bool empty() const { return certs.empty(); }
  EVP_PKEY* leaf_key() const;  // borrowed from the leaf; null when empty
  std::vector<Bytes> to_der() const;
  static std::optional<CertChain> from_der(const std::vector<Bytes>& ders);  // nullopt if any is malformed
};

// A certificate chain with its private key: what a side presents.
struct Credential {
  CertChain chain;
  PkeyPtr key;
  // Reads PEM files; throws CryptoError naming the file when unreadable or
  // when the key does not match the leaf.
  static std::shared_ptr<const Credential> load(const std::filesystem::path& cert_pem,
                                                const std::filesystem::path& key_pem);
  // True when the leaf's subjectAltName / CN matches host (used for SNI selection).
  bool matches_host(const std::string& host) const;
};

CertChain load_chain_pem(const std::filesystem::path& file);  // throws CryptoError
PkeyPtr load_private_key_pem(const std::filesystem::path& file);  // throws CryptoError

enum class Purpose { server, client };

struct VerifyResult {
  bool ok = false;
  std::string error;  // for a person: what failed ("certificate has expired", "host name mismatch")
};

// Trust anchors loaded once and used for every verification.
class TrustStore {
 public:
  static std::shared_ptr<const TrustStore> from_ca_file(const std::filesystem::path& ca_pem);  // throws
  // Verifies chain (leaf first) up to a trust anchor for the given purpose, then,
  // when host is non-empty, X509_check_host (or X509_check_ip_asc for an IP literal).
  VerifyResult verify(const CertChain& chain, Purpose purpose, const std::string& host) const;

 private:
  X509StorePtr store_;
};

}  // namespace wireproof::crypto
