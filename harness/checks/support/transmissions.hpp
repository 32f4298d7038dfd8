// Handshake flights as transmissions: every time a side (re)sent a flight.
// The wire numbers flights (docs/EVENTS.md `flight`); one transmission is the
// datagrams of one flight sent back to back: OpenSSL packs a flight into one
// datagram on first send but sends one message per datagram on retransmit,
// so datagrams of the same (dir, flight) less than `group_window_us` apart
// form one transmission, unless a datagram repeats a message already in it.
//
// Each later transmission is either timer-driven or a response: RFC 6347
// 4.2.4 lets a side retransmit its last flight when it receives the peer's
// retransmitted flight, so a retransmission that starts within
// `response_window_us` after a datagram from the other side reached it (a
// delivery in deliveries_us) is classed as a response. The window is a few
// ms: the stacks measured answer in 0.15-0.3 ms (ref, OpenSSL, GnuTLS, and a
// stack of one's own at 0.15 ms), and no timer here is shorter than 100 ms.
//
// A flight of HelloVerifyRequests is `stateless`: a stateless server (RFC
// 6347 4.2.1) answers each ClientHello and keeps no timer (4.2.4), so its
// resends are never timer retransmissions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/events/event_log.hpp"

namespace wireproof::checks::support {

struct TransmissionOptions {
  std::int64_t group_window_us = 20'000;
  std::int64_t response_window_us = 5'000;
};

struct Transmission {
  enum class Kind { original, timer, response };
  Kind kind = Kind::original;
  std::int64_t t_us = 0;                            // first datagram's wire time
  std::vector<const events::Datagram*> datagrams;
  std::optional<std::uint64_t> trigger_i;           // response: the peer datagram it answers
  // The latest arrival from the peer since this flight's previous
  // transmission, however long before: what a resend without a timer event
  // can only be answering.
  std::optional<std::int64_t> peer_arrival_us;
};

// All transmissions of one flight by one side, in time order.
struct FlightSeries {
  std::string dir;
  int flight = 0;
  bool stateless = false;  // HelloVerifyRequest: no timer behind its resends
  std::vector<Transmission> transmissions;
};

// Every (dir, flight) series in the log, ordered by their first transmission.
std::vector<FlightSeries> flight_series(const events::EventLog& log, const TransmissionOptions& options);

// The highest-numbered series (the handshake's last flight so far) and the
// other side's highest series below it (the peer's flight it follows); either
// is nullptr when the log has none.
struct LastFlights {
  const FlightSeries* last = nullptr;
  const FlightSeries* peer = nullptr;
};
LastFlights last_flights(const std::vector<FlightSeries>& series);

const char* to_string(Transmission::Kind k);

}  // namespace wireproof::checks::support
