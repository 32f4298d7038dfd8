// How one run's wire is set up, by the scenario's wire kind: where the server
// listens, where the client connects, where each peer process runs, the edge
// that moves the traffic through the Link, and how the capture is written.
// run.cpp drives every kind the same way:
//
//   auto w = make_wire_setup(scenario);
//   server argv gets --listen w->server_listen(); started with w->placement("server")
//   wire::WireEdge& edge = w->start(link, server_port);
//   client argv gets --connect w->client_connect(server_port); w->placement("client")
//   ... poll edge.fds() ...; at the end w->write_capture(log, out)
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/events/event_log.hpp"
#include "harness/runner/peer_process.hpp"
#include "harness/runner/run.hpp"
#include "harness/scenario/model.hpp"
#include "harness/wire/link.hpp"
#include "harness/wire/wire_edge.hpp"

namespace wireproof::runner {

inline constexpr int kWireLingerCapMs = 1000;

class WireSetup {
 public:
  virtual ~WireSetup() = default;
  virtual std::string server_listen() const = 0;                   // the server's --listen value
  virtual Placement placement(const std::string& role) const = 0;  // where that peer's process runs
  // Starts the edge once the server listens on server_port; throws naming the step.
  virtual wire::WireEdge& start(wire::Link& link, std::uint16_t server_port) = 0;
  virtual std::string client_connect(std::uint16_t server_port) const = 0;  // the client's --connect, after start
  virtual void write_capture(const events::EventLog& log, std::ostream& out) const = 0;
  // How long the wire keeps moving traffic once both peers have exited, until
  // it has been quiet that long (bounded by kWireLingerCap): a kernel stack
  // still sends after its process is gone (the last ACK of a FIN exchange, a
  // retransmitted FIN), and a log without it would blame the stack for a
  // silence that was the harness's. Zero: the relay has nothing more to carry.
  virtual int linger_quiet_ms() const { return 0; }
  // What result.json records about the wire's setup (null when nothing beyond the scenario).
  virtual nlohmann::json describe() const { return nullptr; }
};

// UDP relay mode: both peers on loopback, the relay between them.
std::unique_ptr<WireSetup> make_udp_relay_setup();
// The scenario's wire: the L3 wire (namespaces, devices, sysctls; throws
// naming the step that failed) or the UDP relay.
std::unique_ptr<WireSetup> make_wire_setup(const scenario::Scenario& sc, const PeerCommand& client,
                                           const PeerCommand& server);

}  // namespace wireproof::runner
