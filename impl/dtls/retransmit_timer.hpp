// The DTLS retransmission timer (RFC 6347 4.2.4.1): starts at an initial
// value (default 1 s), doubles on every retransmission up to a cap (at least
// 60 s). Time is whatever the caller's clock says (real or virtual), in
// microseconds. Two misbehaviour switches (protocol_bugs.hpp) bend it:
// `doubles = false` (no-backoff) and `early = true` (fires at half the value).
#pragma once

#include <algorithm>
#include <chrono>

namespace wireproof::dtls {

using Time = std::chrono::microseconds;

class RetransmitTimer {
 public:
  RetransmitTimer(Time initial, Time max, bool doubles = true, bool early = false)
      : initial_(initial), max_(max), current_(initial), doubles_(doubles), early_(early) {}

  void arm(Time now) {
    armed_ = true;
    deadline_ = now + (early_ ? current_ / 2 : current_);
  }
  void stop() { armed_ = false; }
  void reset() { current_ = initial_; }  // a new flight starts from the initial value
  void back_off() {
    if (doubles_) current_ = std::min(current_ * 2, max_);
  }

  bool armed() const { return armed_; }
  Time deadline() const { return deadline_; }
  bool expired(Time now) const { return armed_ && now >= deadline_; }
  Time current() const { return current_; }

 private:
  Time initial_, max_, current_;
  bool doubles_, early_;
  bool armed_ = false;
  Time deadline_{0};
};

}  // namespace wireproof::dtls
