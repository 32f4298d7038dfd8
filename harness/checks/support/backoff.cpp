#include "harness/checks/support/backoff.hpp"

#include <algorithm>
#include <cmath>

#include "harness/checks/support/wire_records.hpp"
#include "harness/events/dtls_constants.hpp"

namespace wireproof::checks::support {

static double uncapped(double initial_ms, int level) { return initial_ms * std::ldexp(1.0, std::clamp(level, 0, 40)); }

double Backoff::expected_ms(int level) const { return std::min(uncapped(initial_ms, level), cap_ms); }

double Backoff::tolerance_for(double expected) const {
  return std::max(tolerance_ms, tolerance_pct / 100.0 * expected);
}

bool Backoff::fits(double measured_ms, int level) const {
  const double e = expected_ms(level);
  if (std::abs(measured_ms - e) <= tolerance_for(e)) return true;
  const double raw = uncapped(initial_ms, level);
  return raw > cap_ms && measured_ms >= cap_ms - tolerance_for(cap_ms) && measured_ms <= raw + tolerance_for(raw);
}

Backoffs backoffs_for(const Inputs& in, double cap_ms) {
  const Backoff scenario{static_cast<double>(in.scenario.peers.timer_initial_ms.value_or(1000)), cap_ms,
                         in.scenario.expect.retransmit_tolerance_ms, in.scenario.expect.retransmit_tolerance_pct};
  Backoffs b{scenario, scenario};
  if (in.client_timer_initial_ms) b.c2s.initial_ms = *in.client_timer_initial_ms;
  if (in.server_timer_initial_ms) b.s2c.initial_ms = *in.server_timer_initial_ms;
  return b;
}

TimerEvidence timer_evidence(const Inputs& in) {
  return {timer_expiries(in.log, "client"), timer_expiries(in.log, "server")};
}

const char* to_string(JudgedRetransmission::Kind k) {
  switch (k) {
    case JudgedRetransmission::Kind::timer: return "timer";
    case JudgedRetransmission::Kind::response: return "response";
    case JudgedRetransmission::Kind::stateless: return "stateless";
  }
  return "timer";
}

namespace {

using Kind = JudgedRetransmission::Kind;

Kind kind_of(const Transmission& t, const TimerExpiry* expiry, bool sender_prints_timers) {
  if (!sender_prints_timers) return t.kind == Transmission::Kind::response ? Kind::response : Kind::timer;
  if (expiry) return Kind::timer;
  return t.peer_arrival_us ? Kind::response : Kind::timer;  // no expiry: it can only be answering
}

bool carries_finished(const FlightSeries& s) {  // an epoch >= 1 handshake record: the flight's Finished
  for (const auto& t : s.transmissions)
    for (const auto* d : t.datagrams)
      if (carries(*d, {events::kHandshake, 1})) return true;
  return false;
}

// The handshake's last flight: sent with a Finished after the peer's own
// Finished flight (the server's flight 6 in a full handshake). RFC 6347 4.2.4
// gives it no timer: in the FINISHED state its sender only answers the peer's
// retransmissions (judged by last_flight_answered), however late the host lets
// it answer, so none of its resends is a timer retransmission.
const FlightSeries* last_flight(const std::vector<FlightSeries>& all) {
  const auto [last, peer] = last_flights(all);
  return last && peer && carries_finished(*last) && carries_finished(*peer) ? last : nullptr;
}

}  // namespace

std::vector<JudgedSeries> judge_retransmissions(const std::vector<FlightSeries>& all, const Backoffs& backoffs,
                                                const TimerEvidence& evidence) {
  std::vector<JudgedSeries> out;
  const FlightSeries* final_flight = last_flight(all);
  for (const auto& series : all) {
    const auto& tx = series.transmissions;
    if (tx.size() < 2) continue;
    const Backoff& backoff = backoffs.for_dir(series.dir);
    const auto& expiries = evidence.for_dir(series.dir);
    JudgedSeries js;
    js.series = &series;
    int timers = 0;
    bool after_answer = false;
    for (std::size_t k = 1; k < tx.size(); ++k) {
      const Transmission& t = tx[k];
      JudgedRetransmission j;
      j.transmission = &t;
      j.interval_ms = (t.t_us - tx[k - 1].t_us) / 1000.0;
      j.expiry = expiry_before(expiries, tx[k - 1].t_us, t.t_us);
      if (series.stateless) {
        j.kind = Kind::stateless;
        j.not_judged_because = "a stateless server answers each ClientHello and has no timer (RFC 6347 4.2.1, 4.2.4)";
      } else if (&series == final_flight) {
        j.kind = Kind::response;
        j.not_judged_because =
            "the last flight has no timer: its resends answer the peer's (RFC 6347 4.2.4; last_flight_answered)";
      } else {
        j.kind = kind_of(t, j.expiry, !expiries.empty());
        if (j.kind == Kind::response) {
          after_answer = true;
          j.not_judged_because = "answers the peer's retransmission (RFC 6347 4.2.4)";
        } else if (after_answer) {
          j.not_judged_because = "follows an answer in this flight: stacks differ on whether an answer doubles the timer";
        } else {
          j.judged = true;
          j.level = timers++;
          j.expected_ms = backoff.expected_ms(j.level);
          j.tolerance_ms = backoff.tolerance_for(j.expected_ms);
          if (!backoff.fits(j.interval_ms, j.level)) {
            j.outcome = JudgedRetransmission::Outcome::off_schedule;
            if (j.expiry) {
              j.deadline_interval_ms = (j.expiry->deadline_us - tx[k - 1].t_us) / 1000.0;
              if (backoff.fits(j.deadline_interval_ms, j.level)) j.outcome = JudgedRetransmission::Outcome::host_late;
            }
          }
        }
      }
      js.retransmissions.push_back(std::move(j));
    }
    out.push_back(std::move(js));
  }
  return out;
}

}  // namespace wireproof::checks::support
