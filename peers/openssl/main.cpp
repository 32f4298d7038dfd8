// wireproof-peer-openssl: the peer contract (peers/CONTRACT.md) over OpenSSL: DTLS 1.2, and TLS 1.2 / 1.3 over TCP.
#include <openssl/crypto.h>

#include "peers/common/peer_driver.hpp"
#include "peers/openssl/openssl_session.hpp"
#include "peers/openssl/openssl_tls.hpp"

int main(int argc, char** argv) {
  using namespace wireproof::peers;
  Backend backend({"OpenSSL", OpenSSL_version(OPENSSL_VERSION_STRING)},
                  [](const PeerOptions& opts, UdpSocket& socket, EventEmitter& events) -> std::unique_ptr<DtlsSession> {
                    return std::make_unique<openssl::OpensslSession>(opts, socket, events);
                  });
  backend.make_tls_endpoint = [](const PeerOptions& opts, EventEmitter& events) -> std::unique_ptr<TlsEndpoint> {
    return std::make_unique<openssl::OpensslTlsEndpoint>(opts, events);
  };
  // Flags this shim refuses with exit 127 (the contract: never a silent ignore):
  // OpenSSL 3.0 has no record_size_limit (RFC 8449), and the shim offers no 0-RTT.
  // Tested against the real shim: TlsShim.EarlyDataIsUnsupported127, TlsRecordSizeLimit.*
  backend.capabilities.protocols = {"dtls1.2", "tls1.2", "tls1.3"};
  backend.capabilities.missing = {
      {"dtls1.2", {"--resume", "--record-size-limit", "--max-fragment-length", "--key-update", "--early-data"}},
      {"tls1.2", {"--record-size-limit", "--early-data"}},
      {"tls1.3", {"--record-size-limit", "--early-data"}}};
  return run_peer(argc, argv, backend);
}
