// A DTLS library's retransmission timer as the peer driver sees it, and how
// to learn its deadline from a library that only says how much time is left.
//
// OpenSSL (DTLSv1_get_timeout) and GnuTLS (gnutls_dtls_get_timeout) report
// the time left; the deadline they were armed for is "now + left" read right
// after the call that armed them. Later reads give the same deadline within
// the libraries' rounding, and `before + left` can only be early, so the
// latest reading within kSameArming of it is kept (ArmedDeadline); a reading
// far from it means the library re-armed.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

namespace wireproof::peers {

struct LibraryTimer {
  std::chrono::steady_clock::time_point deadline;   // when the library asked to be woken
  bool due = false;                                 // the library would act on it now
  std::optional<std::chrono::microseconds> length;  // the running timer's value, where the library says
};

class ArmedDeadline {
 public:
  using Clock = std::chrono::steady_clock;
  // Time left as the library reports it: nullopt = no timer running; zero = due.
  using TimeLeft = std::function<std::optional<std::chrono::microseconds>()>;

  // Reads the library (time_left) and returns the deadline it is armed for.
  std::optional<LibraryTimer> observe(const TimeLeft& time_left);

  // Readings within this of the kept deadline are the same arming: GnuTLS
  // truncates to whole ms, and the clock is read around the library's call.
  static constexpr std::chrono::microseconds kSameArming{2000};

 private:
  std::optional<Clock::time_point> armed_;
};

}  // namespace wireproof::peers
