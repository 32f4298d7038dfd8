#include "peers/common/timer_events.hpp"

#include <cmath>

namespace wireproof::peers {

void TimerEvents::expiry_handed(const LibraryTimer& timer) {
  if (last_deadline_ == timer.deadline) return;
  last_deadline_ = timer.deadline;
  nlohmann::json ev{{"event", "timer"}, {"deadline_ms", ms_at_(timer.deadline)}};
  if (timer.length) ev["timer_ms"] = std::round(timer.length->count() / 100.0) / 10;
  emit_(std::move(ev));
}

}  // namespace wireproof::peers
