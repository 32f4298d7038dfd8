// The shims' `timer` events (peers/CONTRACT.md): every time a side's library
// timer expired and its process handed the expiry over, when the library had
// asked to be woken (deadline_ms) and when the process woke (t_ms), on the
// peer's clock. Mapped onto the wire's clock with the lower envelope of
// (logged t_us - 1000 * t_ms) over all of that peer's events: an event is
// logged after the peer printed it, so the smallest difference is the closest
// to the offset between the two clocks. A peer that prints none (stock tools,
// stacks of one's own) is judged on the wire alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/events/event_log.hpp"

namespace wireproof::checks::support {

struct TimerExpiry {
  std::uint64_t i = 0;           // the event's index in events.jsonl
  std::int64_t woke_us = 0;      // wire clock
  std::int64_t deadline_us = 0;  // wire clock
  double lateness_ms = 0;        // t_ms - deadline_ms, as the peer printed them
};

// `role`'s ("client" | "server") timer events, in time order.
std::vector<TimerExpiry> timer_expiries(const events::EventLog& log, const std::string& role);

// The latest expiry that woke after `after_us` and no later than `until_us`
// (plus the mapping's slack): the one that caused a retransmission sent at until_us.
const TimerExpiry* expiry_before(const std::vector<TimerExpiry>& expiries, std::int64_t after_us,
                                 std::int64_t until_us);

}  // namespace wireproof::checks::support
