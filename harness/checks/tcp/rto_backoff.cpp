// rto_backoff (tests: rto_backoff_test.cpp, with rto_matches_stack's): consecutive RTO retransmissions of the same data double the
// interval (docs/CHECKS.md "rto_backoff"). For each data or FIN
// retransmission that dissect/tcp_stream calls `rto` and whose previous
// transmission of the same sequence number was itself an `rto`
// retransmission starting there:
//   interval = 2 x the previous interval, +- max(tolerance_ms, tolerance_pct %),
//   capped at max_rto_ms (above it, anything from the cap to the doubled value).
// The first RTO's own length rests on the RTT estimate and is cross-checked
// by rto_matches_stack; a TLP, fast or recovery resend starts no pair (Karn's
// rule, RFC 6298 3 / 5.5: the backed-off RTO is kept for the resend).
// SYNs are syn_retransmission_schedule's. A chain's first pair is not judged
// for a sender whose timer runs in coarse ticks (lwIP reports tcp_state
// slow_timer_ms 500): its first interval runs from a timer start between two
// ticks, so it is short of the RTO by up to a tick and doubling it predicts
// nothing (lwIP -> lwIP: 2774.6 ms, then 6149.7 ms = its 12 ticks + 150 ms);
// later pairs run tick to tick and are judged. A kernel sender's (a TUN
// side's) timer fires up to tcp::kKernelTimerLateness of its timeout late and
// never early, and the previous interval it is doubled from holds that
// lateness too: each pair then fits 2 x previous / (1 + L) .. 2 x previous x
// (1 + L), +- the tolerance (mtu-black-hole linux-rfc: 2271.9 ms after 1016.9
// ms was flaky against 2033.8 +- 203.4). Verdict: fail when a pair is off;
// not_applicable when no data was RTO-retransmitted twice; else pass.
// Parameters: max_rto_ms (120000, Linux TCP_RTO_MAX; RFC 6298 2.5 allows any
// >= 60 s), tolerance_ms / tolerance_pct (expect.retransmit: 15 ms, 10 %).
#include <map>

#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/params.hpp"
#include "harness/checks/tcp/tcp_support.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
using dissect::RetransmissionKind;

// The tick of `role`'s retransmission timer when it reports one (lwIP's
// tcp_state slow_timer_ms), in ms; 0 when it does not (a kernel's fine timers).
double timer_tick_ms(const Inputs& in, const std::string& role) {
  for (const auto& rep : tcp::peer_events(in, role, "tcp_state"))
    if (rep.event.contains("slow_timer_ms") && rep.event["slow_timer_ms"].is_number())
      return rep.event["slow_timer_ms"].get<double>();
  return 0;
}

class RtoBackoff final : public Check {
 public:
  std::string name() const override { return "rto_backoff"; }
  std::string rfc() const override { return "RFC 6298 5.5-5.7 / 3"; }
  std::string sentence() const override { return "The host MUST set RTO <- RTO * 2 (\"back off the timer\")."; }
  std::vector<std::string> protocols() const override { return tcp::over_tcp(); }
  bool judges_timing() const override { return true; }
  std::vector<std::string> parameters() const override { return {"max_rto_ms", "tolerance_ms", "tolerance_pct"}; }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    const double cap = support::number_param(params, "max_rto_ms", 120000);
    const tcp::Tolerance tol = tcp::tolerance_from(in, params);
    CheckResult r;
    r.expected = {{"rule", "each RTO retransmission of the same data leaves 2 x the previous RTO interval"},
                  {"max_rto_ms", cap}, {"tolerance_ms", tol.ms}, {"tolerance_pct", tol.pct}};
    r.measured = json::object();
    json pairs = json::array();
    std::map<std::string, int> judged{{"c2s", 0}, {"s2c", 0}};
    std::vector<std::string> problems, not_judged;
    for (const auto& c : tcp::connections(in)) {
      for (const char* dir : tcp::kDirs) {
        const double tick_ms = timer_tick_ms(in, tcp::sender_role(dir));
        const bool probes = tcp::sends_tail_loss_probes(in, tcp::sender_role(dir));
        const double late = tcp::side_setup(in, tcp::sender_role(dir)).kernel_tcp ? tcp::kKernelTimerLateness : 0;
        const auto& segs = c.dir(dir).segments;
        for (const auto& s : segs) {
          if (s.rtx != RetransmissionKind::rto || s.seq < 0 || !s.previous) continue;
          const auto& prev = segs[*s.previous];
          if (prev.rtx != RetransmissionKind::rto || prev.seq != s.seq) continue;
          // The first RTO of a chain: its interval from where its timer really
          // started (a tail loss probe re-arms it); later ones from the previous.
          const bool chain_start = !prev.previous || !(segs[*prev.previous].rtx == RetransmissionKind::rto &&
                                                       segs[*prev.previous].seq == prev.seq);
          if (chain_start && tick_ms >= tol.ms) {
            not_judged.push_back(fmt::format("{} i={}: the first RTO interval (i={}) of a sender with a {:.0f} ms timer "
                                             "tick starts between ticks",
                                             dir, s.i(), prev.i(), tick_ms));
            continue;
          }
          const std::int64_t prev_interval_us =
              chain_start ? prev.t_us() - tcp::rto_timer_start(c.dir(dir), *s.previous, probes).t_us
                          : prev.since_previous_us;
          const tcp::Doubling d{tcp::ms(prev_interval_us), cap, tol, late};
          const double iv = tcp::ms(s.since_previous_us);
          const bool ok = d.fits(iv, 1);
          ++judged[dir];
          r.evidence.push_back(s.i());
          pairs.push_back({{"dir", dir}, {"i", s.i()}, {"previous_i", prev.i()}, {"seq", s.seq},
                           {"previous_interval_ms", d.initial_ms}, {"interval_ms", iv},
                           {"expected_ms", d.expected_ms(1)}, {"ok", ok}});
          if (late > 0) pairs.back()["timer_lateness_allowed"] = late;
          if (ok) continue;
          support::add_failed_dir(r, dir);
          problems.push_back(fmt::format("{} RTO retransmission i={} of seq {} came {:.1f} ms after the previous one "
                                         "(i={}), which came {:.1f} ms after its own; expected {:.1f} ms +- {:.1f} ms{}",
                                         dir, s.i(), s.seq, iv, prev.i(), d.initial_ms, d.expected_ms(1),
                                         tol.for_expected(d.expected_ms(1)),
                                         late > 0 ? fmt::format(" (a kernel timer: each interval up to {:.1f} % late)",
                                                                late * 100)
                                                  : ""));
        }
      }
    }
    r.measured["pairs"] = pairs;
    r.measured["judged_by_dir"] = judged;
    if (!not_judged.empty()) r.measured["not_judged"] = not_judged;
    if (!problems.empty()) {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}", fmt::join(problems, "; "));
    } else if (pairs.empty()) {
      r.verdict = Verdict::not_applicable;
      r.detail = not_judged.empty() ? "no data was retransmitted by the RTO twice in a row: no back-off to judge"
                                    : fmt::format("not judged: {}", fmt::join(not_judged, "; "));
    } else {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{} consecutive RTO retransmission(s) doubled (c2s {}, s2c {})", pairs.size(),
                             judged["c2s"], judged["s2c"]);
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_rto_backoff() { return std::make_unique<RtoBackoff>(); }

}  // namespace wireproof::checks
