// syn_retransmission_schedule: a connection's SYN (c2s) and SYN-ACK (s2c)
// retransmissions back off exponentially from the initial RTO
// (docs/CHECKS.md "syn_retransmission_schedule"):
//   the k-th retransmission (k = 0, 1, ...) leaves initial_rto x 2^k after
//   the previous transmission of that SYN, +- max(tolerance_ms, tolerance_pct %),
//   capped at max_rto_ms (above it, anything from the cap to the uncapped value).
// RFC 6298 2.1 sets the initial RTO to 1 s, 5.5 doubles it, RFC 9293 3.8.1
// and RFC 1122 4.2.3.5 apply it to the SYN. Linux >= 6.5 with
// net.ipv4.tcp_syn_linear_timeouts = 4 resends its first four SYNs 1 s apart:
// that is not this back-off and FAILS here, with the intervals.
// Not judged: a SYN-ACK resent within response_window_ms after a
// retransmitted SYN reached the server, or the k-th SYN-ACK when more than k
// SYNs had reached the server before it (an answer, not a timer: a busy
// server answers queued SYNs late), and the SYN-ACKs after it (whether an
// answer backs the timer off differs by stack).
// Verdict: fail when a judged interval is off or a direction has fewer than
// min_judged; not_applicable when nothing was retransmitted; else pass.
// Parameters: initial_rto_ms (1000), max_rto_ms (60000), tolerance_ms /
// tolerance_pct (expect.retransmit: 15 ms, 10 %), response_window_ms (5),
// min_judged (0: per direction).
#include <map>

#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/params.hpp"
#include "harness/checks/tcp/tcp_support.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
using dissect::TcpConnection;
using dissect::TcpSegment;
namespace f = events::tcp_flags;

// How many client SYNs reached the server by to_us.
int syns_delivered_by(const TcpConnection& c, std::int64_t to_us) {
  int n = 0;
  for (const auto& s : c.c2s.segments) n += s.tcp().has(f::syn) && !s.tcp().has(f::ack) && s.delivered && s.delivered_us <= to_us;
  return n;
}

// Whether a retransmitted client SYN reached the server in (from_us, to_us].
bool syn_arrived_between(const TcpConnection& c, std::int64_t from_us, std::int64_t to_us) {
  for (const auto& s : c.c2s.segments)
    if (s.tcp().has(f::syn) && !s.tcp().has(f::ack) && s.kind == dissect::SegmentKind::retransmission && s.delivered &&
        s.delivered_us > from_us && s.delivered_us <= to_us)
      return true;
  return false;
}

class SynRetransmissionSchedule final : public Check {
 public:
  std::string name() const override { return "syn_retransmission_schedule"; }
  std::string rfc() const override { return "RFC 6298 5.5 / 2.1; RFC 9293 3.8.1; RFC 1122 4.2.3.5"; }
  std::string sentence() const override { return "The host MUST set RTO <- RTO * 2 (\"back off the timer\")."; }
  std::vector<std::string> protocols() const override { return tcp::over_tcp(); }
  bool judges_timing() const override { return true; }
  std::vector<std::string> parameters() const override {
    return {"initial_rto_ms", "max_rto_ms", "tolerance_ms", "tolerance_pct", "response_window_ms", "min_judged"};
  }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    tcp::Doubling backoff{support::number_param(params, "initial_rto_ms", 1000),
                          support::number_param(params, "max_rto_ms", 60000), tcp::tolerance_from(in, params)};
    const auto response_us = static_cast<std::int64_t>(support::number_param(params, "response_window_ms", 5) * 1000);
    const auto min_judged = static_cast<int>(support::number_param(params, "min_judged", 0));

    CheckResult r;
    json schedule = json::array();
    for (int k = 0; k < 6; ++k) schedule.push_back(backoff.expected_ms(k));
    r.expected = {{"initial_rto_ms", backoff.initial_ms}, {"max_rto_ms", backoff.cap_ms},
                  {"schedule_ms", schedule}, {"tolerance_ms", backoff.tolerance.ms},
                  {"tolerance_pct", backoff.tolerance.pct}, {"response_window_ms", response_us / 1000.0},
                  {"min_judged", min_judged},
                  {"rule", "the k-th SYN / SYN-ACK retransmission leaves initial x 2^k after the previous one"}};
    r.measured = json::object();
    std::map<std::string, int> judged{{"c2s", 0}, {"s2c", 0}};
    std::vector<std::string> problems;
    json series_json = json::array();
    for (const auto& c : tcp::connections(in)) {
      for (const char* dir : tcp::kDirs) {
        const bool c2s = std::string(dir) == "c2s";
        std::vector<const TcpSegment*> syns;
        for (const auto& s : c.dir(dir).segments)
          if (s.tcp().has(f::syn) && s.tcp().has(f::ack) == !c2s) syns.push_back(&s);
        if (syns.size() < 2) continue;
        json intervals = json::array();
        std::vector<std::string> measured_s, expected_s;
        bool off = false, answered = false;
        for (std::size_t k = 1; k < syns.size(); ++k) {
          const double iv = tcp::ms(syns[k]->t_us() - syns[k - 1]->t_us());
          json e{{"i", syns[k]->i()}, {"interval_ms", iv}};
          // An answer: a retransmitted SYN arrived just before it, or more SYNs
          // had arrived than SYN-ACKs were sent before it (a busy server
          // answers queued SYNs late: not a timer).
          if (!c2s && !answered &&
              (syn_arrived_between(c, syns[k]->t_us() - response_us, syns[k]->t_us()) ||
               syns_delivered_by(c, syns[k]->t_us()) > static_cast<int>(k)))
            answered = true, e["answers_syn"] = true;
          if (answered) {
            e["judged"] = false;
            e["not_judged_because"] = "a SYN-ACK answering a retransmitted SYN, or after one";
            intervals.push_back(e);
            continue;
          }
          const int level = static_cast<int>(k - 1);
          const bool ok = backoff.fits(iv, level);
          e["judged"] = true;
          e["expected_ms"] = backoff.expected_ms(level);
          e["ok"] = ok;
          intervals.push_back(e);
          ++judged[dir];
          r.evidence.push_back(syns[k]->i());
          measured_s.push_back(tcp::seconds_text(iv));
          expected_s.push_back(fmt::format("{:g}", backoff.expected_ms(level) / 1000));
          off = off || !ok;
        }
        series_json.push_back({{"dir", dir}, {"segment", c2s ? "SYN" : "SYN-ACK"}, {"transmissions", syns.size()},
                               {"intervals", intervals}});
        if (off) {
          support::add_failed_dir(r, dir);
          problems.push_back(fmt::format("{} {} intervals {} s; expected {} s (+- max({:g} ms, {:g} %))", dir,
                                         c2s ? "SYN" : "SYN-ACK", fmt::join(measured_s, ", "),
                                         fmt::join(expected_s, ", "), backoff.tolerance.ms, backoff.tolerance.pct));
        }
      }
    }
    r.measured["series"] = series_json;
    r.measured["judged_by_dir"] = judged;
    for (const char* dir : tcp::kDirs)
      if (judged[dir] < min_judged) {
        support::add_failed_dir(r, dir);
        problems.push_back(fmt::format("{}: {} retransmission(s) judged, the scenario requires {}", dir, judged[dir], min_judged));
      }
    const int total = judged["c2s"] + judged["s2c"];
    if (!problems.empty()) {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}", fmt::join(problems, "; "));
    } else if (total == 0) {
      r.verdict = Verdict::not_applicable;
      r.detail = series_json.empty() ? "no SYN or SYN-ACK was retransmitted"
                                     : "only SYN-ACKs answering retransmitted SYNs: nothing timer-driven to judge";
    } else {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{} SYN / SYN-ACK retransmission(s) doubling from {:g} ms (c2s {}, s2c {})", total,
                             backoff.initial_ms, judged["c2s"], judged["s2c"]);
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_syn_retransmission_schedule() { return std::make_unique<SynRetransmissionSchedule>(); }

}  // namespace wireproof::checks
