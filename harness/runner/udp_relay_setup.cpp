// The UDP relay wire: the server listens on loopback, the client sends to the
// relay's port, and the capture synthesizes the two legs (client -> wire ->
// server) around each datagram.
#include <chrono>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/capture/pcapng_writer.hpp"
#include "harness/runner/wire_setup.hpp"
#include "harness/wire/udp_relay.hpp"

namespace wireproof::runner {
namespace {

class UdpRelaySetup final : public WireSetup {
 public:
  std::string server_listen() const override { return "127.0.0.1:0"; }
  Placement placement(const std::string&) const override { return {}; }

  wire::WireEdge& start(wire::Link& link, std::uint16_t server_port) override {
    relay_.emplace(link, server_port);
    endpoints_.server.port = server_port;
    endpoints_.wire_client_side.port = relay_->client_port();
    endpoints_.t0_unix_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count() -
                            relay_->now_us();
    return *relay_;
  }

  std::string client_connect(std::uint16_t) const override {
    if (!relay_) throw std::logic_error("UdpRelaySetup: client_connect before start");
    return fmt::format("127.0.0.1:{}", relay_->client_port());
  }

  void write_capture(const events::EventLog& log, std::ostream& out) const override {
    capture::write_pcapng(log, endpoints_, out);
  }

 private:
  std::optional<wire::UdpRelay> relay_;
  capture::CaptureEndpoints endpoints_;
};

}  // namespace

std::unique_ptr<WireSetup> make_udp_relay_setup() { return std::make_unique<UdpRelaySetup>(); }

}  // namespace wireproof::runner
