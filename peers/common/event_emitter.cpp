#include "peers/common/event_emitter.hpp"

#include <cmath>
#include <stdexcept>

namespace wireproof::peers {

double EventEmitter::ms_since_start() const { return ms_at(Clock::now()); }

double EventEmitter::ms_at(Clock::time_point t) const {
  std::chrono::duration<double, std::milli> d = t - start_;
  return std::round(d.count() * 10) / 10;  // 0.1 ms is finer than anything we time
}

void EventEmitter::emit(nlohmann::json event) {
  if (!event.is_object() || !event.contains("event"))
    throw std::logic_error("EventEmitter::emit: an event is an object with an \"event\" member");
  std::lock_guard lock(mutex_);
  event["t_ms"] = ms_since_start();
  out_ << event.dump() << '\n' << std::flush;
}

}  // namespace wireproof::peers
