// wireproof-peer-gnutls: the peer contract (peers/CONTRACT.md) over GnuTLS's DTLS 1.2.
#include <gnutls/gnutls.h>

#include "peers/common/peer_driver.hpp"
#include "peers/gnutls/gnutls_session.hpp"

int main(int argc, char** argv) {
  using namespace wireproof::peers;
  Backend backend{
      {"GnuTLS", gnutls_check_version(nullptr)},
      [](const PeerOptions& opts, UdpSocket& socket, EventEmitter& events) -> std::unique_ptr<DtlsSession> {
        return std::make_unique<gnutls::GnutlsSession>(opts, socket, events);
      }};
  return run_peer(argc, argv, backend);
}
