// retransmission_schedule: timer-driven handshake retransmissions follow the
// RFC 6347 4.2.4.1 back-off: the k-th timer retransmission of a flight comes
// initial * 2^k after the transmission before it, capped at 60 s (larger caps
// are allowed: "no less than").
//
// Transmissions come from support/transmissions.hpp: datagrams of one
// (dir, flight) sent back to back form one transmission; a retransmission
// starting within the response window after a datagram from the other side
// arrived answers the peer's retransmission (RFC 6347 4.2.4): reported, not
// judged. After a response the back-off continues; the next timer
// retransmission is accepted when measured from the response or from the
// transmission before it (libraries differ on whether a response restarts
// the timer).
//
// RFC 6347 4.2.4.1 also says "Implementations SHOULD retain the current timer
// value until a transmission without loss occurs": a side's new flight may
// start from the doubled value its previous flight reached. So the first timer
// retransmission of a flight may be at level 0 (reset) or at the level that
// side's previous flights reached (retained); later ones continue from it.
//
// Expected: initial = scenario.peers.timer_initial_ms or 1000 ms; tolerance =
// max(expect.retransmit.tolerance_ms, tolerance_pct % of the expected interval).
// Parameters (expect.checks.retransmission_schedule):
//   group_window_ms     (default 20)  datagrams closer than this form one transmission
//   response_window_ms  (default 30)  a retransmission this soon after an arrival is a response
//   max_timer_ms        (default 60000) the cap the back-off reaches
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/params.hpp"
#include "harness/checks/support/send_order.hpp"
#include "harness/checks/support/transmissions.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
using support::Transmission;

struct Schedule {
  double initial_ms, cap_ms, tol_ms, tol_pct;
  // Expected interval at back-off level (number of doublings).
  double expected(int level) const { return std::min(initial_ms * std::ldexp(1.0, std::min(level, 40)), cap_ms); }
  double tolerance(double expected_ms) const { return std::max(tol_ms, tol_pct / 100.0 * expected_ms); }
  // Uncapped value, for implementations whose cap is above 60 s.
  double uncapped(int level) const { return initial_ms * std::ldexp(1.0, std::min(level, 40)); }
  bool fits(double measured_ms, int level) const {
    const double e = expected(level);
    if (std::abs(measured_ms - e) <= tolerance(e)) return true;
    const double raw = uncapped(level);
    return raw > cap_ms && measured_ms >= cap_ms - tolerance(cap_ms) && measured_ms <= raw + tolerance(raw);
  }
};

class RetransmissionSchedule final : public Check {
 public:
  std::string name() const override { return "retransmission_schedule"; }
  std::string rfc() const override { return "RFC 6347 4.2.4.1"; }
  std::string sentence() const override {
    return "Implementations SHOULD use an initial timer value of 1 second (the minimum defined in RFC 6298 "
           "[RFC6298]) and double the value at each retransmission, up to no less than the RFC 6298 maximum of "
           "60 seconds.";
  }

  std::vector<std::string> parameters() const override { return {"group_window_ms", "response_window_ms", "max_timer_ms"}; }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    support::TransmissionOptions options;
    options.group_window_us = static_cast<std::int64_t>(support::number_param(params, "group_window_ms", 20) * 1000);
    options.response_window_us =
        static_cast<std::int64_t>(support::number_param(params, "response_window_ms", 30) * 1000);
    const Schedule schedule{static_cast<double>(in.scenario.peers.timer_initial_ms.value_or(1000)),
                            support::number_param(params, "max_timer_ms", 60000),
                            in.scenario.expect.retransmit_tolerance_ms, in.scenario.expect.retransmit_tolerance_pct};

    CheckResult r;
    r.expected = {{"initial_ms", schedule.initial_ms},
                  {"backoff", "x2 per timer retransmission"},
                  {"max_timer_ms", schedule.cap_ms},
                  {"tolerance_ms", schedule.tol_ms},
                  {"tolerance_pct", schedule.tol_pct},
                  {"group_window_ms", options.group_window_us / 1000.0},
                  {"response_window_ms", options.response_window_us / 1000.0}};

    std::map<std::string, int> retained_level;  // per dir: the back-off level previous flights reached
    json flights = json::array();
    std::size_t judged = 0, responses = 0, bad = 0;
    std::string first_bad;

    for (const auto& series : support::flight_series(in.log, options)) {
      const auto& tx = series.transmissions;
      int& retained = retained_level[series.dir];
      if (tx.size() < 2) continue;
      json intervals = json::array();
      std::optional<int> base;  // back-off level of this flight's first timer retransmission
      int timer_count = 0;
      std::int64_t anchor_us = tx[0].t_us;  // last transmission that (re)armed the timer with a known level
      for (std::size_t k = 1; k < tx.size(); ++k) {
        const Transmission& t = tx[k];
        const double since_prev = (t.t_us - tx[k - 1].t_us) / 1000.0;
        json entry{{"i", t.datagrams.front()->i}, {"kind", support::to_string(t.kind)}, {"interval_ms", since_prev}};
        if (t.kind == Transmission::Kind::response) {
          ++responses;
          entry["answers_i"] = *t.trigger_i;
          entry["judged"] = false;
          intervals.push_back(entry);
          continue;
        }
        const double since_anchor = (t.t_us - anchor_us) / 1000.0;
        if (!base) {
          // Reset (level 0) or retained from earlier flights: take the closer.
          const bool retained_fits_better = std::abs(since_anchor - schedule.expected(retained)) <
                                            std::abs(since_anchor - schedule.expected(0));
          base = retained_fits_better ? retained : 0;
        }
        const int level = *base + timer_count;
        const double expected = schedule.expected(level);
        const bool ok = schedule.fits(since_prev, level) || schedule.fits(since_anchor, level);
        const double measured = schedule.fits(since_prev, level) || !schedule.fits(since_anchor, level)
                                    ? since_prev : since_anchor;
        entry["interval_ms"] = measured;
        entry["expected_ms"] = expected;
        entry["tolerance_ms"] = schedule.tolerance(expected);
        entry["backoff_level"] = level;
        entry["judged"] = true;
        entry["ok"] = ok;
        intervals.push_back(entry);
        ++judged;
        r.evidence.push_back(t.datagrams.front()->i);
        if (!ok) {
          ++bad;
          if (first_bad.empty())
            first_bad = fmt::format("{} flight {} retransmission {} (i={}) came {:.1f} ms after the previous, expected "
                                    "{:.0f} ms +- {:.0f} ms",
                                    series.dir, series.flight, timer_count + 1, t.datagrams.front()->i, measured,
                                    expected, schedule.tolerance(expected));
        }
        ++timer_count;
        anchor_us = t.t_us;
      }
      if (timer_count > 0) retained = std::max(retained, *base + timer_count);
      json f{{"dir", series.dir}, {"flight", series.flight}, {"transmissions", tx.size()}, {"intervals", intervals}};
      if (base && *base > 0) f["timer_retained_levels"] = *base;
      flights.push_back(std::move(f));
    }

    r.measured = {{"flights", flights}, {"judged_retransmissions", judged}, {"responses", responses},
                  {"off_schedule", bad}};
    if (judged == 0) {
      r.verdict = Verdict::not_applicable;
      r.detail = responses == 0 ? "nothing was retransmitted"
                                : fmt::format("no timer-driven retransmission; {} response(s) to the peer's "
                                              "retransmissions reported, not judged",
                                              responses);
    } else if (bad == 0) {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{} timer-driven retransmission(s) on schedule (initial {:.0f} ms, doubling)", judged,
                             schedule.initial_ms);
    } else {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{} of {} timer-driven retransmissions off schedule; first: {}", bad, judged, first_bad);
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_retransmission_schedule() { return std::make_unique<RetransmissionSchedule>(); }

}  // namespace wireproof::checks
