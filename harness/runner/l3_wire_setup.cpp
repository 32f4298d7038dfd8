// The L3 wire (harness/wire/l3): each peer in its own namespace, the server
// listening on its side's address, the client connecting to it directly; the
// L3Relay moves IP packets between the two sides' packet ports through the
// Link. Kernel stacks get a TUN in their namespace; a user-space stack
// (registry device packet_socket) inherits its port as fd 3.
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/capture/pcapng_writer.hpp"
#include "harness/runner/capabilities.hpp"
#include "harness/runner/wire_setup.hpp"
#include "harness/wire/l3/l3_relay.hpp"
#include "harness/wire/l3/proc_sys.hpp"
#include "harness/wire/l3/l3_topology.hpp"

namespace wireproof::runner {
namespace {

using wire::Dir;

// The registry's profile first, then the scenario's own settings for that
// side (so a scenario can override a profile). An `if_present` setting the
// kernel lacks is skipped and listed.
wire::l3::L3SideConfig side_config(const scenario::Scenario& sc, const PeerCommand& peer,
                                   const scenario::SideSettings& side, nlohmann::json& skipped) {
  wire::l3::L3SideConfig c;
  c.device = peer.packet_socket ? wire::l3::Device::packet_socket : wire::l3::Device::tun;
  c.mtu = sc.peers.mtu.value_or(sc.link.mtu);
  for (const auto& s : peer.sysctls) {
    if (s.if_present && !wire::l3::sysctl_exists(s.name)) {
      skipped.push_back(fmt::format("{} (registry profile of {}: not in this kernel)", s.name, peer.name));
      continue;
    }
    c.sysctls.emplace_back(s.name, s.value);
  }
  for (const auto& s : side.sysctls) c.sysctls.push_back(s);
  c.route_options = peer.route_options;
  return c;
}

std::string host_port(const std::string& address, std::uint16_t port) {
  return address.find(':') != std::string::npos ? fmt::format("[{}]:{}", address, port)
                                                 : fmt::format("{}:{}", address, port);
}

class L3WireSetup final : public WireSetup {
 public:
  L3WireSetup(const scenario::Scenario& sc, const PeerCommand& client, const PeerCommand& server)
      : topology_(config(sc, client, server)) {}

  std::string server_listen() const override { return host_port(topology_.address(Dir::s2c), 0); }

  Placement placement(const std::string& role) const override {
    const Dir side = role == "client" ? Dir::c2s : Dir::s2c;
    const int fd = topology_.peer_fd(side);
    return {topology_.ns(side).path(), fd, fd >= 0 ? topology_.address(side) : std::string{}};
  }

  wire::WireEdge& start(wire::Link& link, std::uint16_t) override {
    relay_.emplace(link, topology_.wire_fd(Dir::c2s), topology_.wire_fd(Dir::s2c));
    t0_unix_us_ = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count() -
                  relay_->now_us();
    return *relay_;
  }

  std::string client_connect(std::uint16_t server_port) const override {
    return host_port(topology_.address(Dir::s2c), server_port);
  }

  // The log's packets carry their whole IP packet: the writer writes them raw.
  void write_capture(const events::EventLog& log, std::ostream& out) const override {
    capture::CaptureEndpoints ep;
    ep.t0_unix_us = t0_unix_us_;
    capture::write_pcapng(log, ep, out);
  }

  int linger_quiet_ms() const override { return 250; }

  nlohmann::json describe() const override {
    nlohmann::json j = topology_.describe();
    if (!skipped_.empty()) j["sysctls_skipped"] = skipped_;
    return j;
  }

 private:
  wire::l3::L3Config config(const scenario::Scenario& sc, const PeerCommand& client, const PeerCommand& server) {
    skipped_ = nlohmann::json::array();
    wire::l3::L3Config c;
    c.client = side_config(sc, client, sc.peers.client, skipped_);
    c.server = side_config(sc, server, sc.peers.server, skipped_);
    c.ipv6 = sc.ip_version == 6;
    return c;
  }

  nlohmann::json skipped_;
  wire::l3::L3Topology topology_;
  std::optional<wire::L3Relay> relay_;
  std::int64_t t0_unix_us_ = 0;
};

}  // namespace

std::unique_ptr<WireSetup> make_wire_setup(const scenario::Scenario& sc, const PeerCommand& client,
                                           const PeerCommand& server) {
  if (sc.wire == scenario::Wire::l3) return std::make_unique<L3WireSetup>(sc, client, server);
  return make_udp_relay_setup();
}

}  // namespace wireproof::runner
