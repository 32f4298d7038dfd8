// retransmission_schedule: timer-driven handshake retransmissions follow the
// RFC 6347 4.2.4.1 back-off: the k-th timer retransmission of a flight comes
// initial * 2^k after the transmission before it, capped at 60 s (larger caps
// are allowed: "no less than").
//
// Transmissions come from support/transmissions.hpp (datagrams of one
// (dir, flight) sent back to back form one transmission) and are judged by
// support/backoff.hpp: a retransmission that fits the schedule is timer-driven;
// one that does not but follows an arrival from the peer answers the peer's
// retransmission (RFC 6347 4.2.4) and is reported, not judged; the back-off
// continues after it. A side's new flight may start from the timer value its
// previous flight reached ("Implementations SHOULD retain the current timer
// value until a transmission without loss occurs").
//
// Expected: initial = the sending side's effective initial timer
// (Inputs::client/server_timer_initial_ms, e.g. a stock tool's fixed 1 s),
// else scenario.peers.timer_initial_ms, else 1000 ms; tolerance =
// max(expect.retransmit.tolerance_ms, tolerance_pct % of the expected interval).
// Parameters (expect.checks.retransmission_schedule):
//   group_window_ms     (default 20)  datagrams closer than this form one transmission
//   response_window_ms  (default 30)  a retransmission this soon after an arrival is a response
//   max_timer_ms        (default 60000) the cap the back-off reaches
#include <set>

#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/backoff.hpp"
#include "harness/checks/support/params.hpp"
#include "harness/checks/support/send_order.hpp"
#include "harness/checks/support/transmissions.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
using support::Transmission;

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
    const support::Backoffs backoffs =
        support::backoffs_for(in, support::number_param(params, "max_timer_ms", 60000));
    const support::Backoff& backoff = backoffs.c2s;  // cap and tolerance: the same both ways

    CheckResult r;
    const bool same_initial = backoffs.c2s.initial_ms == backoffs.s2c.initial_ms;
    r.expected = {{"initial_ms", same_initial ? json(backoff.initial_ms) : json(nullptr)},
                  {"initial_ms_by_dir", {{"c2s", backoffs.c2s.initial_ms}, {"s2c", backoffs.s2c.initial_ms}}},
                  {"backoff", "x2 per timer retransmission"},
                  {"max_timer_ms", backoff.cap_ms},
                  {"tolerance_ms", backoff.tolerance_ms},
                  {"tolerance_pct", backoff.tolerance_pct},
                  {"group_window_ms", options.group_window_us / 1000.0},
                  {"response_window_ms", options.response_window_us / 1000.0}};

    const auto series = support::flight_series(in.log, options);
    json flights = json::array();
    std::size_t judged = 0, responses = 0, bad = 0;
    std::string first_bad;
    std::set<std::string> bad_dirs;  // measured.failed_dirs: whose timer was off
    for (const auto& js : support::judge_retransmissions(series, backoffs)) {
      json intervals = json::array();
      int timer_number = 0;
      for (const auto& j : js.retransmissions) {
        const Transmission& t = *j.transmission;
        const std::uint64_t i = t.datagrams.front()->i;
        if (!j.timer) {
          ++responses;
          intervals.push_back({{"i", i}, {"kind", "response"}, {"answers_i", *t.trigger_i},
                               {"interval_ms", j.interval_ms}, {"judged", false}});
          continue;
        }
        ++judged;
        ++timer_number;
        r.evidence.push_back(i);
        intervals.push_back({{"i", i}, {"kind", "timer"}, {"interval_ms", j.interval_ms},
                             {"expected_ms", j.expected_ms}, {"tolerance_ms", j.tolerance_ms},
                             {"backoff_level", j.level}, {"judged", true}, {"ok", j.ok}});
        if (j.ok) continue;
        ++bad;
        bad_dirs.insert(js.series->dir);
        if (first_bad.empty())
          first_bad = fmt::format("{} flight {} timer retransmission {} (i={}) came {:.1f} ms after the previous, "
                                  "expected {:.0f} ms +- {:.0f} ms",
                                  js.series->dir, js.series->flight, timer_number, i, j.interval_ms, j.expected_ms,
                                  j.tolerance_ms);
      }
      json f{{"dir", js.series->dir}, {"flight", js.series->flight},
             {"transmissions", js.series->transmissions.size()}, {"intervals", intervals}};
      if (js.base_level && *js.base_level > 0) f["timer_retained_levels"] = *js.base_level;
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
      r.detail = same_initial ? fmt::format("{} timer-driven retransmission(s) on schedule (initial {:.0f} ms, doubling)",
                                            judged, backoff.initial_ms)
                              : fmt::format("{} timer-driven retransmission(s) on schedule (initial c2s {:.0f} ms, "
                                            "s2c {:.0f} ms, doubling)",
                                            judged, backoffs.c2s.initial_ms, backoffs.s2c.initial_ms);
    } else {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{} of {} timer-driven retransmissions off schedule; first: {}", bad, judged, first_bad);
      for (const auto& dir : bad_dirs) support::add_failed_dir(r, dir);
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_retransmission_schedule() { return std::make_unique<RetransmissionSchedule>(); }

}  // namespace wireproof::checks
