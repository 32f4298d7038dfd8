// wireproof-peer-ref: the peer contract (peers/CONTRACT.md) over the reference DTLS 1.2 stack.
#include "peers/common/peer_driver.hpp"
#include "peers/ref/ref_session.hpp"

int main(int argc, char** argv) {
  using namespace wireproof::peers;
  Backend backend{{"wireproof-ref", "0.1.0"},
                  [](const PeerOptions& opts, UdpSocket& socket, EventEmitter& events) -> std::unique_ptr<DtlsSession> {
                    return std::make_unique<ref::RefSession>(opts, socket, events);
                  }};
  return run_peer(argc, argv, backend);
}
