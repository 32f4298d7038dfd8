// wireproof-peer-gnutls: the peer contract (peers/CONTRACT.md) over GnuTLS: DTLS 1.2, and TLS 1.2 / 1.3 over TCP.
#include <gnutls/gnutls.h>

#include "peers/common/peer_driver.hpp"
#include "peers/gnutls/gnutls_session.hpp"
#include "peers/gnutls/gnutls_tls.hpp"

int main(int argc, char** argv) {
  using namespace wireproof::peers;
  Backend backend({"GnuTLS", gnutls_check_version(nullptr)},
                  [](const PeerOptions& opts, UdpSocket& socket, EventEmitter& events) -> std::unique_ptr<DtlsSession> {
                    return std::make_unique<gnutls::GnutlsSession>(opts, socket, events);
                  });
  backend.make_tls_endpoint = [](const PeerOptions& opts, EventEmitter& events) -> std::unique_ptr<TlsEndpoint> {
    return std::make_unique<gnutls::GnutlsTlsEndpoint>(opts, events);
  };
  // Flags this shim refuses with exit 127 (the contract: never a silent ignore):
  // the shim offers no 0-RTT. Tested against the real shim: TlsShim.EarlyDataIsUnsupported127.
  backend.capabilities.protocols = {"dtls1.2", "tls1.2", "tls1.3"};
  backend.capabilities.missing = {
      {"dtls1.2", {"--resume", "--record-size-limit", "--max-fragment-length", "--key-update", "--early-data"}},
      {"tls1.2", {"--early-data"}},
      {"tls1.3", {"--early-data"}}};
  return run_peer(argc, argv, backend);
}
