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
// delivery in deliveries_us) is classed as a response.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/events/event_log.hpp"

namespace wireproof::checks::support {

struct TransmissionOptions {
  std::int64_t group_window_us = 20'000;
  std::int64_t response_window_us = 30'000;
};

struct Transmission {
  enum class Kind { original, timer, response };
  Kind kind = Kind::original;
  std::int64_t t_us = 0;                            // first datagram's wire time
  std::vector<const events::Datagram*> datagrams;
  std::optional<std::uint64_t> trigger_i;           // response: the peer datagram it answers
};

// All transmissions of one flight by one side, in time order.
struct FlightSeries {
  std::string dir;
  int flight = 0;
  std::vector<Transmission> transmissions;
};

// Every (dir, flight) series in the log, ordered by their first transmission.
std::vector<FlightSeries> flight_series(const events::EventLog& log, const TransmissionOptions& options);

const char* to_string(Transmission::Kind k);

}  // namespace wireproof::checks::support
