// The throwaway PKI both stacks in ref_bench use (harness/pki: ECDSA P-256),
// loaded once: parsing PEM files is not part of a handshake.
#pragma once

#include <memory>

#include "harness/pki/pki.hpp"
#include "impl/crypto/x509.hpp"

namespace wireproof::bench {

struct Pki {
  explicit Pki(pki::PkiFiles f)
      : files(std::move(f)),
        ref_server(crypto::Credential::load(files.server_cert, files.server_key)),
        ref_trust(crypto::TrustStore::from_ca_file(files.ca_cert)) {}
  pki::PkiFiles files;
  std::shared_ptr<const crypto::Credential> ref_server;
  std::shared_ptr<const crypto::TrustStore> ref_trust;
};

// A link MTU that lets a 16 KB record travel in one datagram (DTLS never
// fragments application records).
constexpr int kBenchMtu = 17 * 1024;
constexpr const char* kServerName = "localhost";

}  // namespace wireproof::bench
