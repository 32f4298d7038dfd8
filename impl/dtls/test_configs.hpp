// Test helper: a generated PKI and client/server ConnectionConfigs that
// complete a handshake with each other (ECDHE-ECDSA-AES128-GCM, cookie on).
#pragma once

#include <memory>

#include "harness/pki/pki.hpp"
#include "impl/crypto/test_util.hpp"
#include "impl/dtls/memory_link.hpp"

namespace wireproof::dtls::testing {

struct Pki {
  crypto::testing::TempDir dir;
  pki::PkiFiles files = pki::generate_pki(dir.path, "example.test");
  std::shared_ptr<const crypto::Credential> server = crypto::Credential::load(files.server_cert, files.server_key);
  std::shared_ptr<const crypto::Credential> client = crypto::Credential::load(files.client_cert, files.client_key);
  std::shared_ptr<const crypto::TrustStore> trust = crypto::TrustStore::from_ca_file(files.ca_cert);
  // Everything is in memory now; pki() never destroys its Pki, so the directory goes here.
  Pki() { std::filesystem::remove_all(dir.path); }
};

inline const Pki& pki() {
  static const Pki* p = new Pki();  // generated once per test binary; read-only afterwards
  return *p;
}

inline ConnectionConfig client_cfg() {
  ConnectionConfig c;
  c.handshake.server_name = "example.test";
  c.handshake.trust = pki().trust;
  c.handshake.cipher_suites = {0xc02b};
  return c;
}
inline ConnectionConfig server_cfg() {
  ConnectionConfig c;
  c.handshake.credential = pki().server;
  c.peer_address = {127, 0, 0, 1, 0x12, 0x34};
  return c;
}

// First byte of a handshake record's message type in a datagram (records[0]).
inline int first_hs_type(const Sent& s) { return s.data.size() > 13 && s.data[0] == 22 ? s.data[13] : -1; }

}  // namespace wireproof::dtls::testing
