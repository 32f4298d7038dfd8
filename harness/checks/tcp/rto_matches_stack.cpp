// rto_matches_stack: the first RTO the wire shows agrees with the RTO the
// sending stack reported (docs/CHECKS.md "rto_matches_stack"). For each
// direction, the first data retransmission dissect/tcp_stream calls `rto`
// (not after another RTO of the same data): its interval is measured from
// when the timer last (re)started, the later of the data's previous
// transmission and the last ACK that advanced snd_una reaching the sender
// (RFC 6298 5.1, 5.3); that must equal the `rto_us` of the sender's latest
// `tcp_info` report (peers/CONTRACT.md "TCP": tcp_info events, or
// connected.tcp_info) logged before the retransmission, +- max(tolerance_ms,
// tolerance_pct %). The report is cross-checked, never the baseline of the
// back-off (rto_backoff judges doubling from the wire alone).
// not_applicable for a direction with no such retransmission or no report
// before it (said which). Parameters: tolerance_ms / tolerance_pct
// (expect.retransmit: 15 ms, 10 %).
#include <algorithm>

#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/params.hpp"
#include "harness/checks/tcp/tcp_support.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
using dissect::RetransmissionKind;
using dissect::TcpSegment;

// The latest rto_us `role` reported before t_us, in ms, with its log index
// and the stack's timer tick (timer_tick_us; 0 for a kernel's fine timers).
struct ReportedRto {
  double ms;
  std::uint64_t i;
  double tick_ms;
};
std::optional<ReportedRto> reported_rto(const Inputs& in, const std::string& role, std::int64_t t_us) {
  std::optional<ReportedRto> best;
  std::int64_t best_t = -1;
  for (const char* name : {"tcp_info", "connected"}) {
    for (const auto& rep : tcp::peer_events(in, role, name)) {
      const json& info = std::string(name) == "tcp_info" ? rep.event : rep.event.value("tcp_info", json::object());
      if (!info.is_object() || !info.contains("rto_us") || !info["rto_us"].is_number() || !rep.t_us || !rep.i) continue;
      if (*rep.t_us >= t_us || *rep.t_us < best_t) continue;
      best_t = *rep.t_us;
      const double tick_us = info.contains("timer_tick_us") && info["timer_tick_us"].is_number() ? info["timer_tick_us"].get<double>() : 0;
      best = ReportedRto{info["rto_us"].get<double>() / 1000.0, *rep.i, tick_us / 1000.0};
    }
  }
  return best;
}

class RtoMatchesStack final : public Check {
 public:
  std::string name() const override { return "rto_matches_stack"; }
  std::string rfc() const override { return "RFC 6298 5.1 / 5.3"; }
  std::string sentence() const override {
    return "Every time a packet containing data is sent (including a retransmission), if the timer is not "
           "running, start it running so that it will expire after RTO seconds (for the current value of RTO).";
  }
  std::vector<std::string> protocols() const override { return tcp::over_tcp(); }
  bool judges_timing() const override { return true; }
  std::vector<std::string> parameters() const override { return {"tolerance_ms", "tolerance_pct"}; }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    const tcp::Tolerance tol = tcp::tolerance_from(in, params);
    CheckResult r;
    r.expected = {{"rule", "first RTO interval (from the later of the previous transmission and the last ACK "
                           "advancing snd_una) == the sender's last reported rto_us before it"},
                  {"tolerance_ms", tol.ms}, {"tolerance_pct", tol.pct}};
    r.measured = json::object();
    std::vector<std::string> problems, skipped;
    int judged = 0;
    const auto conns = tcp::connections(in);
    for (const char* dir : tcp::kDirs) {
      const TcpSegment* first = nullptr;
      const dissect::TcpDirection* owner = nullptr;
      std::size_t first_k = 0;
      for (const auto& c : conns) {
        const auto& segs = c.dir(dir).segments;
        for (std::size_t k = 0; k < segs.size(); ++k) {
          const auto& s = segs[k];
          if (s.rtx != RetransmissionKind::rto || s.seq < 0 || !s.previous) continue;
          const auto& prev = segs[*s.previous];
          if (prev.rtx == RetransmissionKind::rto && prev.seq == s.seq) continue;
          if (tcp::answers_icmp(c, dir, s)) continue;  // not the timer's (tcp_support.hpp)
          first = &s, owner = &c.dir(dir), first_k = k;
          break;
        }
        if (first) break;
      }
      if (!first) {
        skipped.push_back(fmt::format("{}: no RTO retransmission", dir));
        continue;
      }
      const auto start = tcp::rto_timer_start(*owner, first_k, tcp::sends_tail_loss_probes(in, tcp::sender_role(dir)));
      const double wire = tcp::ms(first->t_us() - start.t_us);
      const auto rep = reported_rto(in, tcp::sender_role(dir), first->t_us());
      json m{{"i", first->i()}, {"wire_rto_ms", wire}, {"timer_start", start.why}};
      if (!rep) {
        m["reported_rto_ms"] = nullptr;
        r.measured[dir] = m;
        skipped.push_back(fmt::format("{}: the {} reported no tcp_info rto_us before i={}", dir, tcp::sender_role(dir), first->i()));
        continue;
      }
      ++judged;
      m["reported_rto_ms"] = rep->ms;
      m["report_i"] = rep->i;
      if (rep->tick_ms > 0) m["timer_tick_ms"] = rep->tick_ms;
      r.measured[dir] = m;
      r.evidence.insert(r.evidence.end(), {first->i(), rep->i});
      // A timer counted in ticks from the first tick after its start expires
      // up to one tick before the RTO (lwIP: peers/lwip/README.md "Timers").
      const double slack = tol.for_expected(rep->ms);
      if (wire < rep->ms - rep->tick_ms - slack || wire > rep->ms + slack) {
        support::add_failed_dir(r, dir);
        const std::string allowed =
            rep->tick_ms > 0 ? fmt::format("{:.1f}..{:.1f} ms (a {:.0f} ms timer tick early, +- {:.1f} ms)",
                                           rep->ms - rep->tick_ms - slack, rep->ms + slack, rep->tick_ms, slack)
                             : fmt::format("+- {:.1f} ms", slack);
        problems.push_back(fmt::format("{}: first RTO on the wire {:.1f} ms (i={}), the {} reported rto {:.1f} ms "
                                       "(i={}); allowed {}",
                                       dir, wire, first->i(), tcp::sender_role(dir), rep->ms, rep->i, allowed));
      }
    }
    const std::string tail = skipped.empty() ? "" : fmt::format("; not judged: {}", fmt::join(skipped, "; "));
    if (!problems.empty()) {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}", fmt::join(problems, "; ")) + tail;
    } else if (judged == 0) {
      r.verdict = Verdict::not_applicable;
      r.detail = fmt::format("{}", fmt::join(skipped, "; "));
    } else {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("first RTO agrees with the stack's report in {} direction(s)", judged) + tail;
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_rto_matches_stack() { return std::make_unique<RtoMatchesStack>(); }

}  // namespace wireproof::checks
