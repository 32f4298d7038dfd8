// wireproof-peer-openssl: the peer contract (peers/CONTRACT.md) over OpenSSL's DTLS 1.2.
#include <openssl/crypto.h>

#include "peers/common/peer_driver.hpp"
#include "peers/openssl/openssl_session.hpp"

int main(int argc, char** argv) {
  using namespace wireproof::peers;
  Backend backend{
      {"OpenSSL", OpenSSL_version(OPENSSL_VERSION_STRING)},
      [](const PeerOptions& opts, UdpSocket& socket, EventEmitter& events) -> std::unique_ptr<DtlsSession> {
        return std::make_unique<openssl::OpensslSession>(opts, socket, events);
      }};
  return run_peer(argc, argv, backend);
}
