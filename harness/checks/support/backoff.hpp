// The RFC 6347 4.2.4.1 retransmission back-off, and the judging of each
// flight's retransmissions against it (docs/CHECKS.md, retransmission_schedule).
// Shared by retransmission_schedule (which reports it) and nothing else:
// mtu_fit counts every retransmission itself.
//
// The rule, one basis for every stack:
//  - interval: from the flight's previous transmission by the same side, of
//    whatever kind. Every stack restarts its timer when it sends: OpenSSL 3.0
//    (dtls1_handle_timeout -> dtls1_start_timer), GnuTLS 3.7 (_dtls_transmit
//    sets last_retransmit on every send), mbedTLS (mbedtls_ssl_resend sets the
//    timer), the ref (Connection::retransmit_flight arms it), as RFC 6347 4.2.4
//    says ("retransmits the flight, resets the retransmit timer");
//  - level: the k-th timer retransmission of a flight is expected
//    initial * 2^k after the previous one (capped); each flight starts at
//    k = 0: OpenSSL (dtls1_stop_timer), GnuTLS (RESET_TIMER on a new flight),
//    mbedTLS (ssl_reset_retransmit_timeout) and the ref (end_flight) reset;
//  - tolerance: max(tolerance_ms, tolerance_pct % of the expected interval).
//
// Not judged: a retransmission that answers the peer's (a response, RFC 6347
// 4.2.4), and the timer retransmissions that follow one in the same flight:
// whether an answer doubles the timer differs by stack (the ref and GnuTLS
// double; mbedTLS keeps the value; OpenSSL never answers mid-handshake), so
// after an answer the level is unknown. A stateless server's
// HelloVerifyRequest resends have no timer at all.
//
// Which resends are answers: when the sender prints `timer` events
// (support/timer_events.hpp), a resend with an expiry since the flight's
// previous transmission is a timer one, else an answer if the peer's datagram
// arrived since; a sender without them is judged on the wire alone, where a
// resend within the response window after an arrival is an answer.
//
// Host vs library: an off-schedule timer retransmission matched to an expiry
// whose deadline was on schedule is `host_late` (the process woke late; the
// check says inconclusive); one whose deadline was itself off schedule is the
// library's doing (`off_schedule`, with the deadline as evidence).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/checks/check.hpp"
#include "harness/checks/support/timer_events.hpp"
#include "harness/checks/support/transmissions.hpp"

namespace wireproof::checks::support {

struct Backoff {
  double initial_ms = 1000, cap_ms = 60000, tolerance_ms = 15, tolerance_pct = 10;

  double expected_ms(int level) const;
  double tolerance_for(double expected) const;
  // Within tolerance of the expected interval; above the cap, anything from
  // the cap up to the uncapped value ("up to no less than ... 60 seconds").
  bool fits(double measured_ms, int level) const;
};

// One back-off per direction, each with the initial timer its sender was
// asked for (Inputs::client_timer_initial_ms for c2s, server_... for s2c;
// scenario.peers.timer_initial_ms, else 1000, when absent); tolerance from
// expect.retransmit_*.
struct Backoffs {
  Backoff c2s, s2c;
  const Backoff& for_dir(const std::string& dir) const { return dir == "c2s" ? c2s : s2c; }
};
Backoffs backoffs_for(const Inputs& in, double cap_ms = 60000);

// Each side's timer events, by the direction it sends in.
struct TimerEvidence {
  std::vector<TimerExpiry> c2s, s2c;
  const std::vector<TimerExpiry>& for_dir(const std::string& dir) const { return dir == "c2s" ? c2s : s2c; }
};
TimerEvidence timer_evidence(const Inputs& in);

struct JudgedRetransmission {
  enum class Kind { timer, response, stateless };
  enum class Outcome { ok, off_schedule, host_late };
  const Transmission* transmission = nullptr;
  Kind kind = Kind::timer;
  bool judged = false;
  std::string not_judged_because;        // when !judged
  double interval_ms = 0;                // since the flight's previous transmission
  double expected_ms = 0, tolerance_ms = 0;
  int level = 0;
  Outcome outcome = Outcome::ok;
  const TimerExpiry* expiry = nullptr;   // the sender's timer event behind it, if it printed one
  double deadline_interval_ms = 0;       // with expiry: the library's deadline - the previous transmission
};

struct JudgedSeries {
  const FlightSeries* series = nullptr;
  std::vector<JudgedRetransmission> retransmissions;  // transmissions[1..]
};

// Judges every series with more than one transmission; `series` and
// `evidence` must outlive the result.
std::vector<JudgedSeries> judge_retransmissions(const std::vector<FlightSeries>& series, const Backoffs& backoffs,
                                                const TimerEvidence& evidence);

const char* to_string(JudgedRetransmission::Kind k);

}  // namespace wireproof::checks::support
