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
#include <functional>
#include <optional>

#include "peers/common/event_emitter.hpp"
#include "peers/common/library_timer.hpp"
#include "peers/common/peer_ending.hpp"

namespace wireproof::peers {

class TimerEvents {
 public:
  // A deadline as the events' t_ms clock reads it.
  using MsAt = std::function<double(std::chrono::steady_clock::time_point)>;

  // A process printing through `events` (t_ms since the process started).
  explicit TimerEvents(EventEmitter& events)
      : TimerEvents([&events](nlohmann::json e) { events.emit(std::move(e)); },
                    [&events](std::chrono::steady_clock::time_point t) { return events.ms_at(t); }) {}
  // Any other clock, e.g. harness/virtual's simulated one.
  TimerEvents(EmitEvent emit, MsAt ms_at) : emit_(std::move(emit)), ms_at_(std::move(ms_at)) {}

  // The driver is handing this expiry to the library. One event per deadline:
  // a due timer seen again (the library's next call acts on it) is not new.
  void expiry_handed(const LibraryTimer& timer);

 private:
  EmitEvent emit_;
  MsAt ms_at_;
  std::optional<std::chrono::steady_clock::time_point> last_deadline_;
};

}  // namespace wireproof::peers
