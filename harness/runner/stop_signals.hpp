// SIGINT / SIGTERM while a run or a matrix is going: the handler only sets a
// flag (async-signal-safe); the loop that owns the processes and namespaces
// sees it, stops what it started and unwinds, so RAII cleans up (peer groups,
// network namespaces, TUN devices) and what finished is kept. One instance at
// a time; the previous handlers come back when it is destroyed.
#pragma once

#include <signal.h>

#include <array>
#include <csignal>
#include <string>

namespace wireproof::runner {

namespace detail {
inline volatile std::sig_atomic_t g_stop_signal = 0;
inline void on_stop_signal(int sig) { g_stop_signal = sig; }
}  // namespace detail

class StopSignals {
 public:
  StopSignals() {
    detail::g_stop_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = detail::on_stop_signal;
    sa.sa_flags = SA_RESTART;  // the loop polls the flag; let other calls carry on (poll still returns EINTR)
    sigemptyset(&sa.sa_mask);
    for (std::size_t k = 0; k < kSignals.size(); ++k) ::sigaction(kSignals[k], &sa, &previous_[k]);
  }
  ~StopSignals() {
    for (std::size_t k = 0; k < kSignals.size(); ++k) ::sigaction(kSignals[k], &previous_[k], nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  int received() const { return detail::g_stop_signal; }
  static std::string name(int sig) { return sig == SIGINT ? "SIGINT" : "SIGTERM"; }
  // The exit status of a command stopped by `sig` (the shell's 128 + N).
  static int exit_code(int sig) { return 128 + sig; }

 private:
  static constexpr std::array<int, 2> kSignals{SIGINT, SIGTERM};
  std::array<struct sigaction, 2> previous_{};
};

}  // namespace wireproof::runner
