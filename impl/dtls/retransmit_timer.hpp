// The DTLS retransmission timer (RFC 6347 4.2.4.1): starts at an initial
// value (default 1 s), doubles on every retransmission up to a cap (at least
// 60 s). Time is whatever the caller's clock says (real or virtual), in
// microseconds. Misbehaviour switches (protocol_bugs.hpp) bend it through
// `growth_percent` (no-backoff: 100, backoff-1.5x: 150; RFC 6347: 200) and
// `early = true` (early-retransmit: fires at half the value).
#pragma once

#include <algorithm>
#include <chrono>

namespace wireproof::dtls {

using Time = std::chrono::microseconds;

class RetransmitTimer {
 public:
  RetransmitTimer(Time initial, Time max, int growth_percent = 200, bool early = false)
      : initial_(initial), max_(max), current_(initial), growth_percent_(growth_percent), early_(early) {}

  void arm(Time now) {
    armed_ = true;
    deadline_ = now + (early_ ? current_ / 2 : current_);
  }
  void stop() { armed_ = false; }
  void reset() { current_ = initial_; }  // a new flight starts from the initial value
  void back_off() {
    current_ = std::min(current_ * growth_percent_ / 100, max_);
  }

  bool armed() const { return armed_; }
  Time deadline() const { return deadline_; }
  bool expired(Time now) const { return armed_ && now >= deadline_; }
  Time current() const { return current_; }
  Time initial() const { return initial_; }

 private:
  Time initial_, max_, current_;
  int growth_percent_;
  bool early_;
  bool armed_ = false;
  Time deadline_{0};
};

}  // namespace wireproof::dtls
