// The contract's `timer` event (peers/CONTRACT.md), one implementation for
// every shim: each time the driver hands an expired retransmission timer to
// its library, it prints, before the library acts,
//   {"event":"timer","t_ms":W,"deadline_ms":D[,"timer_ms":T]}
// W = now, D = when the library asked to be woken, both on the events' own
// clock. W - D is how late the host ran the process; D itself is the
// library's schedule. So a checker can tell a library that scheduled wrong
// from a host that woke it late.
#pragma once

#include <chrono>
#include <optional>

#include "peers/common/event_emitter.hpp"
#include "peers/common/library_timer.hpp"

namespace wireproof::peers {

class TimerEvents {
 public:
  explicit TimerEvents(EventEmitter& events) : events_(events) {}

  // The driver is handing this expiry to the library. One event per deadline:
  // a due timer seen again (the library's next call acts on it) is not new.
  void expiry_handed(const LibraryTimer& timer);

 private:
  EventEmitter& events_;
  std::optional<std::chrono::steady_clock::time_point> last_deadline_;
};

}  // namespace wireproof::peers
