// A flight (RFC 6347 4.2.4) as the messages it holds, so it can be rendered
// again for retransmission: new record sequence numbers, the same message_seq
// values, and fragments cut for the MTU in force at that moment.
#pragma once

#include <vector>

#include "impl/dtls/record_layer.hpp"

namespace wireproof::dtls {

struct FlightItem {
  bool ccs = false;
  std::uint16_t epoch = 0;
  std::uint8_t type = 0;
  std::uint16_t message_seq = 0;
  crypto::Bytes body;
};

// Misbehaviour switch of the renderer (protocol_bugs.hpp); the connection sets
// it for a flight's first transmission only, so the retransmission repairs it.
struct RenderBugs {
  bool conflicting_overlap = false;  // inconsistent-fragments: the flight's first message's last fragment is
                                     // sent again, right after the message, with every body byte inverted
};

// Renders items into datagrams of at most `budget` bytes, packing several
// records per datagram (RFC 6347 4.1.1) and fragmenting handshake messages so
// each record fits. Throws std::invalid_argument if budget cannot hold a record
// with one byte of handshake payload.
std::vector<crypto::Bytes> render_flight(RecordLayer& rl, const std::vector<FlightItem>& items, std::size_t budget,
                                         RenderBugs bugs = {});

}  // namespace wireproof::dtls
