// Hands events to the sink in index order (moved: the sink owns them), holding
// back everything after a datagram not all of whose copies are accounted for
// yet (sent, failed or given up).
// Event indices `i` are assigned here, once, shared by all event kinds, so the
// log stays in arrival order with exact `deliveries_us`.
//
//   auto i = buffer.add(datagram, /*complete=*/false);
//   ... buffer.datagram(i).deliveries_us = {...}; buffer.complete(i);
//   buffer.flush();   // emits the completed prefix
#pragma once

#include <cstdint>
#include <deque>

#include "harness/events/event_log.hpp"
#include "harness/wire/link.hpp"

namespace wireproof::wire {

class EventBuffer {
 public:
  explicit EventBuffer(EventSink sink) : sink_(std::move(sink)) {}

  // Assigns the event its index and queues it; returns the index.
  std::uint64_t add(events::Event e, bool complete);
  // The queued datagram with index i (still pending). Reference valid until it is emitted.
  events::Datagram& datagram(std::uint64_t i);
  void complete(std::uint64_t i);
  // Emits every event up to the first incomplete one.
  void flush();

 private:
  struct Pending {
    events::Event event;
    bool complete;
  };
  EventSink sink_;
  std::deque<Pending> pending_;  // pending_[k] has index first_ + k
  std::uint64_t first_ = 0, next_ = 0;
};

}  // namespace wireproof::wire
