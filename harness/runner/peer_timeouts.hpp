// The limits every peer of a run is given, derived from the scenario. Real
// (run.cpp) and virtual (harness/virtual) runs both use these, so a scenario's
// timeouts mean the same thing on both clocks.
#pragma once

#include <algorithm>
#include <optional>

#include "harness/scenario/model.hpp"

namespace wireproof::runner {

// How long a peer's workload may go without receiving anything before it
// gives up, which applies only until application data has flowed (the first
// echo / record; peers/CONTRACT.md "Workload"): after that the harness ends
// the run (run_end.hpp). Long enough to ride out the back-off of the slowest
// timer in the run (a stock tool's fixed 1 s timer can be slower than the
// scenario's) and about ten of the echo client's resends (4 timers apart).
// `longest_timer_ms` defaults to the scenario's timer.
inline int idle_timeout_ms(const scenario::Scenario& sc, std::optional<int> longest_timer_ms = std::nullopt) {
  int timer = longest_timer_ms.value_or(sc.peers.timer_initial_ms.value_or(1000));
  return std::clamp(timer * 40, 4000, 10000);
}

// The peer's handshake limit: the scenario's, or the run deadline less a
// margin, and never past the run deadline less 2 s (so the peer reports its
// own failure before the harness has to kill it).
inline int handshake_timeout_ms(const scenario::Scenario& sc) {
  int run_ms = static_cast<int>(sc.run_timeout_s * 1000);
  int hs_ms = sc.peers.handshake_timeout_ms.value_or(std::max(1000, run_ms - 3000));
  return std::min(hs_ms, std::max(1000, run_ms - 2000));
}

}  // namespace wireproof::runner
