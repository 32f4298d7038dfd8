// zero_window_probe: while the receiver advertises a zero window the sender
// probes it, backing off, and sends again once it opens (docs/CHECKS.md):
//  - a zero-window period of `dir`: from the first delivered peer segment
//    with window 0 until the first delivered one with a window again;
//  - probes: the sender's segments during the period that probe: data past
//    the ack that closed the window, or Linux's old-sequence segment with no
//    data (not its ACKs of the peer's data, nor resends of acked data);
//  - RFC 9293 3.8.6.1: a period longer than max_first_probe_ms without a
//    probe fails (the default, 3000 ms, is well above any initial RTO);
//  - RFC 1122 4.2.2.17: probe intervals grow: each >= the previous - tolerance,
//    and with 3 or more probes the last interval > the first;
//  - flow resumes: if the sender probed (it had data) it sends new data within
//    resume_ms after the window opened.
// Nothing after the connection's reset is judged (tcp::reset_at: a reset
// connection is CLOSED, nothing more is owed): a period the reset cuts ends
// there, one from then is not judged, and a reset within resume_ms of the
// window opening, before new data, leaves the resume unjudged (the abort
// scenarios: the wire's RST came 0.02 ms after the window opened). So the
// window 0 of an RST the wire's rst rule made of a segment closes nothing: it
// is the reset.
// not_applicable: no zero-window period. Parameters: max_first_probe_ms
// (3000), resume_ms (1000), tolerance_ms / tolerance_pct (15 ms, 10 %).
#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/params.hpp"
#include "harness/checks/tcp/tcp_support.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
using dissect::SegmentKind;
using dissect::TcpConnection;
using dissect::TcpSegment;
namespace f = events::tcp_flags;

struct Period {
  const TcpSegment* closed = nullptr;         // the peer's zero-window segment
  const TcpSegment* opened = nullptr;         // the peer's first open-window segment after it (null: never)
};

std::vector<Period> zero_window_periods(const TcpConnection& c, const std::string& dir) {
  std::vector<Period> out;
  for (const auto& a : c.peer_of(dir).segments) {
    if (!a.ack || !a.delivered || a.tcp().has(f::syn) || a.tcp().has(f::rst)) continue;
    const bool open_period = !out.empty() && !out.back().opened;
    if (a.window == 0 && !open_period) out.push_back({&a, nullptr});
    else if (a.window > 0 && open_period) out.back().opened = &a;
  }
  return out;
}

// A window probe: data reaching past `acked`, the ack that closed the window
// (lwIP sends the next byte), or a segment with no data and an old sequence
// number (Linux's tcp_xmit_probe_skb, seq snd_una - 1). Not a probe: an ACK
// of the peer's data at snd_max, nor a resend of data already acked (a busy
// Linux host resending on ACKs it processed late), whose timing says nothing
// of the persist timer's back-off.
bool is_probe(const TcpSegment& s, std::int64_t acked) {
  if (s.tcp().has(f::rst) || s.tcp().has(f::fin) || s.tcp().has(f::syn)) return false;
  if (s.tcp().payload_length == 0) return s.seq < s.snd_max_before;
  return s.data_end() > acked;
}

class ZeroWindowProbe final : public Check {
 public:
  std::string name() const override { return "zero_window_probe"; }
  std::string rfc() const override { return "RFC 9293 3.8.6.1 / RFC 1122 4.2.2.17"; }
  std::string sentence() const override {
    return "The sending TCP peer must regularly transmit at least one octet of new data (if available), or "
           "retransmit to the receiving TCP peer even if the send window is zero, in order to \"probe\" the window.";
  }
  std::vector<std::string> protocols() const override { return tcp::over_tcp(); }
  bool judges_timing() const override { return true; }
  std::vector<std::string> parameters() const override {
    return {"max_first_probe_ms", "resume_ms", "tolerance_ms", "tolerance_pct"};
  }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    const double max_first = support::number_param(params, "max_first_probe_ms", 3000);
    const double resume = support::number_param(params, "resume_ms", 1000);
    const tcp::Tolerance tol = tcp::tolerance_from(in, params);
    CheckResult r;
    r.expected = {{"first_probe_within_ms", max_first}, {"intervals", "non-decreasing (+- tolerance), growing"},
                  {"resume_within_ms", resume}, {"tolerance_ms", tol.ms}, {"tolerance_pct", tol.pct}};
    r.measured = json::object();
    json periods = json::array();
    std::vector<std::string> problems, after_reset;
    for (const auto& c : tcp::connections(in)) {
      const auto reset = tcp::reset_at(c);
      for (const char* dir : tcp::kDirs) {
        const auto& segs = c.dir(dir).segments;
        for (auto p : zero_window_periods(c, dir)) {
          if (reset && p.closed->delivered_us >= reset->at_us) {
            after_reset.push_back(p.closed == reset->rst
                                      ? fmt::format("{}: i={} is the reset, its window 0 no zero window", dir, p.closed->i())
                                      : fmt::format("{}: the window closed (i={}) after the reset (i={})", dir,
                                                    p.closed->i(), reset->rst->i()));
            continue;
          }
          if (reset && p.opened && p.opened->delivered_us >= reset->at_us) p.opened = nullptr;  // the reset ended it
          const std::int64_t from = p.closed->delivered_us;
          std::int64_t until = p.opened ? p.opened->delivered_us : segs.empty() ? from : std::max(from, segs.back().t_us());
          if (reset) until = std::min(until, reset->at_us);
          std::vector<const TcpSegment*> probes;
          for (const auto& s : segs)
            if (s.t_us() > from && s.t_us() < until && is_probe(s, *p.closed->ack)) probes.push_back(&s);
          json intervals = json::array();
          r.evidence.push_back(p.closed->i());
          const auto fail = [&](std::string why) {
            support::add_failed_dir(r, dir);
            problems.push_back(fmt::format("{}: {}", dir, why));
          };
          const double first_ms = probes.empty() ? tcp::ms(until - from) : tcp::ms(probes.front()->t_us() - from);
          if (probes.empty() && tcp::ms(until - from) > max_first)
            fail(fmt::format("the window stayed closed {:.0f} ms (from i={}) and the sender never probed", tcp::ms(until - from),
                             p.closed->i()));
          else if (!probes.empty() && first_ms > max_first)
            fail(fmt::format("first probe i={} came {:.0f} ms after the window closed (i={}), expected within {:.0f} ms",
                             probes.front()->i(), first_ms, p.closed->i(), max_first));
          for (std::size_t k = 1; k < probes.size(); ++k) intervals.push_back(tcp::ms(probes[k]->t_us() - probes[k - 1]->t_us()));
          for (std::size_t k = 1; k < intervals.size(); ++k) {
            const double prev = intervals[k - 1].get<double>(), cur = intervals[k].get<double>();
            if (cur < prev - tol.for_expected(prev)) {
              fail(fmt::format("probe interval {} fell from {:.0f} ms to {:.0f} ms (i={}): the back-off must not shrink", k + 1,
                               prev, cur, probes[k + 1]->i()));
              break;
            }
          }
          if (intervals.size() >= 2 && !(intervals.back().get<double>() > intervals.front().get<double>() + tol.for_expected(intervals.front().get<double>())))
            fail(fmt::format("probe intervals did not grow: {} ms", intervals.dump()));
          json m{{"dir", dir}, {"closed_i", p.closed->i()}, {"probes", probes.size()}, {"first_probe_ms", first_ms},
                 {"intervals_ms", intervals}};
          for (const auto* s : probes) r.evidence.push_back(s->i());
          if (reset && !p.opened) m["ended_by_reset_i"] = reset->rst->i();
          if (p.opened) {
            m["opened_i"] = p.opened->i();
            const TcpSegment* next = nullptr;
            for (const auto& s : segs)
              if (s.kind == SegmentKind::new_data && s.t_us() >= p.opened->delivered_us && s.tcp().payload_length > 0 &&
                  (!reset || s.t_us() < reset->at_us) && (probes.empty() || &s != probes.back())) { next = &s; break; }
            if (next) m["resumed_after_ms"] = tcp::ms(next->t_us() - p.opened->delivered_us);
            const double reset_after_ms = reset ? tcp::ms(reset->at_us - p.opened->delivered_us) : 0;
            if (reset && !next && reset_after_ms <= resume) {
              m["reset_before_resume"] = {{"i", reset->rst->i()}, {"after_open_ms", reset_after_ms}};
            } else if (!probes.empty() && (!next || tcp::ms(next->t_us() - p.opened->delivered_us) > resume)) {
              const std::string never = reset ? fmt::format("never before the reset {:.0f} ms later (i={})", reset_after_ms,
                                                            reset->rst->i())
                                               : std::string("never");
              fail(fmt::format("the window opened (i={}) but new data came {}", p.opened->i(),
                               next ? fmt::format("only {:.0f} ms later (i={})", tcp::ms(next->t_us() - p.opened->delivered_us), next->i())
                                    : never));
            }
          }
          periods.push_back(m);
        }
      }
    }
    r.measured["periods"] = periods;
    if (!after_reset.empty()) r.measured["not_judged_after_reset"] = after_reset;
    if (!problems.empty()) {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}", fmt::join(problems, "; "));
    } else if (periods.empty()) {
      r.verdict = Verdict::not_applicable;
      r.detail = after_reset.empty() ? "the receiver never advertised a zero window"
                                     : fmt::format("not judged: {}", fmt::join(after_reset, "; "));
    } else {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{} zero-window period(s): probed, backing off, flow resumed", periods.size());
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_zero_window_probe() { return std::make_unique<ZeroWindowProbe>(); }

}  // namespace wireproof::checks
