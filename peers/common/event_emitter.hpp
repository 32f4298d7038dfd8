// Writes contract events (peers/CONTRACT.md) as JSON lines: one object per
// line, "t_ms" (milliseconds since the peer started) added, flushed at once
// so the runner sees each event when it happens. Safe to call from several
// threads (the linux shim's tcp_info sampler emits beside its workload).
#pragma once

#include <chrono>
#include <mutex>
#include <ostream>

#include <nlohmann/json.hpp>

namespace wireproof::peers {

class EventEmitter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit EventEmitter(std::ostream& out, Clock::time_point start = Clock::now()) : out_(out), start_(start) {}

  // event must be an object with an "event" member; "t_ms" is set here.
  void emit(nlohmann::json event);

  double ms_since_start() const;
  // A moment on the same clock as t_ms (0.1 ms steps; negative before the start).
  double ms_at(Clock::time_point t) const;

 private:
  std::ostream& out_;
  Clock::time_point start_;
  std::mutex mutex_;  // one whole line at a time
};

}  // namespace wireproof::peers
