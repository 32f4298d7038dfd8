// tcp_info while a workload runs (peers/CONTRACT.md "TCP": when "sample"):
// the kernel's loss-recovery state between the contract's fixed moments, so a
// check can tell why the sender did what the wire shows (e.g. no fast
// retransmit after 90 duplicate ACKs because its reordering degree,
// tcpi_reordering, had been raised above that). A thread reads TCP_INFO
// every kPeriodMs and emits an event only when a field that says how the
// sender detects loss changed (kWatched), so an idle or steady connection
// adds nothing to the log.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "peers/common/event_emitter.hpp"

namespace wireproof::peers::linux_tcp {

class TcpInfoSampler {
 public:
  static constexpr int kPeriodMs = 10;
  // Fields whose change is reported; the event carries every tcp_info field.
  static constexpr const char* kWatched[] = {"ca_state", "reordering", "retransmits", "rto_us", "state"};

  // Starts sampling `fd`, which must stay open until this object is destroyed.
  TcpInfoSampler(int fd, EventEmitter& events);
  ~TcpInfoSampler();  // stops and joins the thread
  TcpInfoSampler(const TcpInfoSampler&) = delete;
  TcpInfoSampler& operator=(const TcpInfoSampler&) = delete;

  // Whether `now` differs from `last` in a watched field (last null: first sample).
  static bool changed(const nlohmann::json& last, const nlohmann::json& now);

 private:
  void loop();

  int fd_;
  EventEmitter& events_;
  std::mutex m_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace wireproof::peers::linux_tcp
