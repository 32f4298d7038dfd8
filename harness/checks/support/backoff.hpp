// The RFC 6347 4.2.4.1 retransmission back-off, and the judging of each
// flight's retransmissions against it. Shared by retransmission_schedule
// (which reports it) and mtu_fit (which counts timer-driven retransmissions).
//
// A retransmission that fits the timer schedule is timer-driven, even when
// the peer's datagram arrived just before it: peers with the same timer
// retransmit at nearly the same moments, and the coincidence must not hide a
// timer. One that does not fit, but starts within the response window after
// an arrival from the peer (support/transmissions.hpp), is a response to the
// peer's retransmission (RFC 6347 4.2.4): reported, not judged. Anything else
// is a timer retransmission off schedule.
//
// Levels: the k-th timer retransmission of a flight is expected initial * 2^k
// after the transmission before it (or after the last timer/original one,
// when a response came in between: libraries differ on whether a response
// restarts the timer). "Implementations SHOULD retain the current timer value
// until a transmission without loss occurs": a side's new flight may start
// at level 0 or at the level its previous flights reached.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/checks/check.hpp"
#include "harness/checks/support/transmissions.hpp"

namespace wireproof::checks::support {

struct Backoff {
  double initial_ms = 1000, cap_ms = 60000, tolerance_ms = 30, tolerance_pct = 25;

  double expected_ms(int level) const;
  double tolerance_for(double expected) const;
  // Within tolerance of the expected interval; above the cap, anything from
  // the cap up to the uncapped value ("up to no less than ... 60 seconds").
  bool fits(double measured_ms, int level) const;
};

// initial from scenario.peers.timer_initial_ms (1000 when absent), tolerance
// from expect.retransmit_*.
Backoff backoff_for(const Inputs& in, double cap_ms = 60000);

// One back-off per direction, each with its sender's effective initial timer
// (Inputs::client_timer_initial_ms for c2s, server_... for s2c; the
// scenario's when absent).
struct Backoffs {
  Backoff c2s, s2c;
  const Backoff& for_dir(const std::string& dir) const { return dir == "c2s" ? c2s : s2c; }
};
Backoffs backoffs_for(const Inputs& in, double cap_ms = 60000);

struct JudgedRetransmission {
  const Transmission* transmission = nullptr;
  bool timer = true;                     // false: a response, not judged
  double interval_ms = 0;                // the interval judged (or since the previous, for a response)
  double expected_ms = 0, tolerance_ms = 0;
  int level = 0;
  bool ok = true;
};

struct JudgedSeries {
  const FlightSeries* series = nullptr;
  std::vector<JudgedRetransmission> retransmissions;  // transmissions[1..]
  std::optional<int> base_level;                      // > 0: timer retained from earlier flights
};

// Judges every series with more than one transmission; `series` must outlive
// the result.
std::vector<JudgedSeries> judge_retransmissions(const std::vector<FlightSeries>& series, const Backoff& backoff);
// The same, each direction with its own back-off.
std::vector<JudgedSeries> judge_retransmissions(const std::vector<FlightSeries>& series, const Backoffs& backoffs);

}  // namespace wireproof::checks::support
