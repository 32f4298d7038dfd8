#include "bench/ref/ref_pair.hpp"

#include <stdexcept>


namespace wireproof::bench {

namespace {

dtls::ConnectionConfig config(dtls::Role role, const Pki& pki) {
  dtls::ConnectionConfig c;
  c.handshake.role = role;
  c.handshake.cipher_suites = {0xc02b};  // ECDHE-ECDSA-AES128-GCM-SHA256
  c.handshake.groups = {crypto::Group::secp256r1};
  c.mtu = kBenchMtu;
  if (role == dtls::Role::client) {
    c.handshake.trust = pki.ref_trust;
    c.handshake.server_name = kServerName;
  } else {
    c.handshake.credential = pki.ref_server;
    c.cookie_exchange = true;
    c.cookie_secret = crypto::Bytes(32, 0x42);
    c.peer_address = {127, 0, 0, 1, 0x9c, 0x41};
  }
  return c;
}
}  // namespace

RefPair::RefPair(const Pki& pki)
    : client_(std::make_unique<dtls::Connection>(config(dtls::Role::client, pki))),
      server_(std::make_unique<dtls::Connection>(config(dtls::Role::server, pki))) {}

bool RefPair::shuttle() {
  bool moved = false;
  for (auto& d : client_->pull_datagrams()) {
    server_->feed(d, dtls::Time(0));
    moved = true;
  }
  for (auto& d : server_->pull_datagrams()) {
    client_->feed(d, dtls::Time(0));
    moved = true;
  }
  return moved;
}

void RefPair::handshake() {
  client_->start(dtls::Time(0));
  while (shuttle()) {
  }
  if (!client_->handshake_done() || !server_->handshake_done())
    throw std::runtime_error("ref handshake did not complete: client '" + client_->error() + "', server '" +
                             server_->error() + "'");
}

void RefPair::send_one_record(std::span<const std::uint8_t> data) {
  if (!client_->send_app(crypto::ByteView(data.data(), data.size())))
    throw std::runtime_error("ref send_app refused a record of " + std::to_string(data.size()) + " bytes");
  for (auto& d : client_->pull_datagrams()) server_->feed(d, dtls::Time(0));
  if (!server_->recv_app()) throw std::runtime_error("ref: the record did not arrive");
}

}  // namespace wireproof::bench
