#include "peers/common/timer_events.hpp"

#include <cmath>

namespace wireproof::peers {

void TimerEvents::expiry_handed(const LibraryTimer& timer) {
  if (last_deadline_ == timer.deadline) return;
  last_deadline_ = timer.deadline;
  nlohmann::json ev{{"event", "timer"}, {"deadline_ms", events_.ms_at(timer.deadline)}};
  if (timer.length) ev["timer_ms"] = std::round(timer.length->count() / 100.0) / 10;
  events_.emit(std::move(ev));
}

}  // namespace wireproof::peers
