// One datagram moving through a direction's impairment pipeline. Stages read
// its dissection (`event`), change its copies (bytes + due time), and record
// what they did in `event.actions`. No copies left = dropped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/events/event_log.hpp"
#include "harness/wire/link.hpp"

namespace wireproof::wire {

struct Copy {
  std::vector<std::uint8_t> bytes;
  std::int64_t due_us = 0;
};

// Set by a reorder stage: hold the datagram until `after` later datagrams in
// the same direction have passed, or until `deadline_us`.
struct HoldRequest {
  int after = 0;
  std::int64_t deadline_us = 0;
};

struct Transit {
  Dir dir;
  std::int64_t now_us;
  events::Datagram& event;  // dissection in, actions out
  std::vector<Copy> copies;
  std::optional<HoldRequest> hold;
  // L3 wire: where the transport payload starts in each copy's bytes (the whole
  // IP packet); 0 in relay mode, where the copy is the payload.
  std::size_t payload_offset = 0;
  // L3 wire: a packet the wire itself sends back to this packet's sender (the
  // ICMP too-big of an MTU drop); empty if none.
  std::vector<std::uint8_t> wire_reply{};
  // What happened, for Link::totals(); `delayed` only when a copy's due time really moved.
  bool duplicated = false, delayed = false, corrupted = false;

  bool dropped() const { return copies.empty(); }
  void record(const std::string& rule, const std::string& action, std::string detail) {
    event.actions.push_back({rule, action, std::move(detail)});
  }
};

}  // namespace wireproof::wire
