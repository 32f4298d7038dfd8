// The limits every peer of a run is given, derived from the scenario. Real
// (run.cpp) and virtual (harness/virtual) runs both use these, so a scenario's
// timeouts mean the same thing on both clocks.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>

#include "harness/scenario/model.hpp"
#include "harness/scenario/protocol.hpp"

namespace wireproof::runner {

// How long a peer's workload may go without receiving anything before it
// gives up, which applies only until application data has flowed (the first
// echo / record; peers/CONTRACT.md "Workload"): after that the harness ends
// the run (run_end.hpp). Long enough to ride out the back-off of the slowest
// timer in the run (a stock tool's fixed 1 s timer can be slower than the
// scenario's) and about ten of the echo client's resends (4 timers apart).
// `longest_timer_ms` defaults to the scenario's timer.
// The timer the limits below are sized for: the slowest in the run, else the scenario's, else 1 s.
inline int base_timer_ms(const scenario::Scenario& sc, std::optional<int> longest_timer_ms) {
  return longest_timer_ms.value_or(sc.peers.timer_initial_ms.value_or(1000));
}

inline int idle_timeout_ms(const scenario::Scenario& sc, std::optional<int> longest_timer_ms = std::nullopt) {
  return std::clamp(base_timer_ms(sc, longest_timer_ms) * 40, 4000, 10000);
}

// The client's idle limit: timer x 20 (the server's is x 40), 2 s at least,
// both capped at 10 s, so half the server's up to a 250 ms timer. Its first echo comes one round
// trip after its handshake is done (the server finished first), so this is
// still about five of its resends; it matters only when no echo ever comes
// (a record the link cannot carry: app-record-exceeds-mtu).
inline int client_idle_timeout_ms(const scenario::Scenario& sc, std::optional<int> longest_timer_ms = std::nullopt) {
  return std::clamp(base_timer_ms(sc, longest_timer_ms) * 20, 2000, 10000);
}

// The peer's handshake limit: the scenario's, or the run deadline less a
// margin, and never past the run deadline less 2 s (so the peer reports its
// own failure before the harness has to kill it). A scenario's limit is
// written for its timer_initial_ms, so a run with a slower fixed timer (a
// stock tool's 1 s) gets it scaled by longest / scenario timer: as many of
// that peer's retransmissions fit in it (mtu_fit's grace needs them).
inline int handshake_timeout_ms(const scenario::Scenario& sc, std::optional<int> longest_timer_ms = std::nullopt) {
  int run_ms = static_cast<int>(sc.run_timeout_s * 1000);
  int hs_ms = std::max(1000, run_ms - 3000);
  if (sc.peers.handshake_timeout_ms) {
    std::int64_t timer = sc.peers.timer_initial_ms.value_or(1000);
    std::int64_t longest = std::max<std::int64_t>(timer, longest_timer_ms.value_or(static_cast<int>(timer)));
    hs_ms = static_cast<int>(std::min<std::int64_t>(*sc.peers.handshake_timeout_ms * longest / timer, run_ms));
  }
  hs_ms = std::min(hs_ms, std::max(1000, run_ms - 2000));
  // A TLS peer refuses a limit outside the contract's range (exit 3).
  if (scenario::is_tls(sc.protocol))
    hs_ms = std::clamp(hs_ms, scenario::kTlsHandshakeTimeoutMinMs, scenario::kTlsHandshakeTimeoutMaxMs);
  return hs_ms;
}

}  // namespace wireproof::runner
