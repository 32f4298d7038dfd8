// keepalive: with keep-alives configured (the scenario's workload.keepalive
// {idle_s, intvl_s, count}: what the harness passed to BOTH peers as
// --keepalive, never what a peer says of itself), each side probes an idle
// connection on that schedule and gives up on a silent peer after `count`
// probes (docs/CHECKS.md):
//  - a probe: a segment with no SYN/FIN/RST, 0 or 1 byte, seq = SND.NXT - 1
//    (RFC 9293 3.8.4), sent while the peer had acked all the prober sent and
//    its window was open (a zero-window probe has the same shape);
//  - idle (RFC 1122 4.2.3.6: "only ... when no data or acknowledgement
//    packets have been received") runs from the last peer segment delivered
//    to the prober. Whether the PEER's own probes restart it the RFC does not
//    say (lwIP's tcp_input restarts its timer on any segment; Linux drops a
//    probe as out of window without touching it), so both readings are
//    accepted: a probe, a count or a due time fits if it fits either;
//  - schedule: a probe with nothing unanswered before it leaves idle_s after
//    the last segment received; one after an unanswered probe intvl_s after
//    that probe; each within the tolerance;
//  - give-up: `count` unanswered probes, then intvl_s later the stack ends the
//    connection (a RST, Linux, or nothing) and its application reports
//    ETIMEDOUT (peers/CONTRACT.md "TCP", keepalive row). Giving up after
//    another number of probes or at another time, or without telling the
//    application, fails; so does probing past `count`;
//  - silence: a side that neither probed nor gave up when due (no probe in an
//    idle period of idle_s, no give-up after `count` probes) while the run
//    went on past the due time + tolerance fails.
//  - a stack whose timers run in coarse ticks (it reports timer_tick_us, as
//    lwIP does: 500 ms) fires on the first tick after the due time: a probe
//    or a give-up up to one tick late fits (never early: RFC 1122's MUST is
//    "only ... when no ... packets have been received ... within an interval").
// Each side is judged on its own probes (its direction); what the run ended
// before it could show is listed in measured.not_judged.
// not_applicable: the scenario configured no keep-alives.
// Parameters: tolerance_ms / tolerance_pct.
#include <algorithm>
#include <cmath>
#include <set>

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

// The keep-alive probes `dir` sent, in wire order.
std::vector<const TcpSegment*> keepalive_probes(const TcpConnection& c, const std::string& dir) {
  std::vector<const TcpSegment*> out;
  std::int64_t snd_nxt = 0;
  const auto& peer = c.peer_of(dir).segments;
  for (const auto& s : c.dir(dir).segments) {
    const auto& t = s.tcp();
    const bool shape = !t.has(f::syn) && !t.has(f::fin) && !t.has(f::rst) && t.payload_length <= 1 && s.seq == snd_nxt - 1;
    if (shape && c.dir(dir).syn) {
      std::int64_t acked = -1;
      const TcpSegment* latest = nullptr;  // the peer's last segment delivered before it: its window
      for (const auto& a : peer) {
        if (!a.delivered || a.delivered_us > s.t_us()) continue;
        if (a.ack) acked = std::max(acked, *a.ack);
        if (!latest || a.delivered_us >= latest->delivered_us) latest = &a;
      }
      if (acked >= snd_nxt && latest && latest->tcp().window > 0) out.push_back(&s);
    }
    snd_nxt = std::max(snd_nxt, s.end);
  }
  return out;
}

// A peer segment as the prober received it.
struct Received {
  std::int64_t t_us;
  std::uint64_t i;
  bool probe;          // the peer's own keep-alive probe
  bool ends;           // a RST or FIN: the connection is over
};

// The prober's timer tick in ms (0: fine-grained timers, as a kernel's): the
// largest timer_tick_us its tcp_info reports (peers/CONTRACT.md "TCP").
double reported_tick_ms(const Inputs& in, const std::string& role) {
  double tick_us = 0;
  for (const char* name : {"tcp_info", "connected"})
    for (const auto& rep : tcp::peer_events(in, role, name)) {
      const json& info = std::string(name) == "tcp_info" ? rep.event : rep.event.value("tcp_info", json::object());
      if (info.is_object() && info.contains("timer_tick_us") && info["timer_tick_us"].is_number())
        tick_us = std::max(tick_us, info["timer_tick_us"].get<double>());
    }
  return tick_us / 1000.0;
}

// The two readings of "no data or acknowledgement packets have been received".
enum class Reading { without_peer_probes, with_peer_probes };
bool counts(const Received& r, Reading how) { return how == Reading::with_peer_probes || !r.probe; }

// The last received segment (of the reading) delivered before t.
const Received* last_received(const std::vector<Received>& rx, std::int64_t t_us, Reading how) {
  const Received* out = nullptr;
  for (const auto& r : rx)
    if (r.t_us < t_us && counts(r, how) && (!out || r.t_us >= out->t_us)) out = &r;
  return out;
}

// When the prober's next probe (or give-up) is due, by a reading.
struct Due {
  std::int64_t t_us;
  double expected_ms;   // after `from`
  std::string from;     // "its probe i=7" | "the segment it received last (i=3)"
  int unanswered = 0;   // probes since the last received segment
};

std::optional<Due> due_at(const std::vector<const TcpSegment*>& probes, std::size_t upto, const std::vector<Received>& rx,
                          std::int64_t t_us, Reading how, const scenario::Keepalive& k) {
  const Received* got = last_received(rx, t_us, how);
  int unanswered = 0;
  const TcpSegment* prev = nullptr;
  for (std::size_t j = 0; j < upto; ++j)
    if (!got || probes[j]->t_us() > got->t_us) ++unanswered, prev = probes[j];
  if (prev) return Due{prev->t_us() + k.intvl_s * 1000000LL, k.intvl_s * 1000.0, fmt::format("its probe i={}", prev->i()), unanswered};
  if (got) return Due{got->t_us + k.idle_s * 1000000LL, k.idle_s * 1000.0, fmt::format("the segment it received last (i={})", got->i), 0};
  return std::nullopt;
}

std::int64_t log_end_us(const events::EventLog& log) {
  std::int64_t end = 0;
  for (const auto& e : log.events) std::visit([&](const auto& v) { end = std::max(end, v.t_us); }, e);
  return end;
}

class Keepalive final : public Check {
 public:
  std::string name() const override { return "keepalive"; }
  std::string rfc() const override { return "RFC 1122 4.2.3.6 / RFC 9293 3.8.4"; }
  std::string sentence() const override {
    return "Keep-alive packets MUST only be sent when no data or acknowledgement packets have been received for the "
           "connection within an interval.";
  }
  std::vector<std::string> protocols() const override { return tcp::over_tcp(); }
  bool judges_timing() const override { return true; }
  std::vector<std::string> parameters() const override { return {"tolerance_ms", "tolerance_pct"}; }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    CheckResult r;
    if (!in.scenario.tcp.keepalive) {
      r.verdict = Verdict::not_applicable;
      r.detail = "the scenario configured no keep-alives (workload.keepalive)";
      return r;
    }
    const auto& k = *in.scenario.tcp.keepalive;
    const tcp::Tolerance tol = tcp::tolerance_from(in, params);
    r.expected = {{"idle_ms", k.idle_s * 1000}, {"interval_ms", k.intvl_s * 1000}, {"count", k.count},
                  {"give_up", "a RST or nothing, intvl after the last unanswered probe; the application reports ETIMEDOUT"},
                  {"tolerance_ms", tol.ms}, {"tolerance_pct", tol.pct}};
    r.measured = json::object();
    json sides = json::array(), not_judged = json::array();
    std::vector<std::string> problems;
    const std::int64_t log_end = log_end_us(in.log);
    for (const auto& c : tcp::connections(in)) {
      if (!c.c2s.syn || !c.s2c.syn) continue;  // no established connection to keep alive
      for (const char* dir : tcp::kDirs) {
        const std::string role = tcp::sender_role(dir);
        const auto fail = [&](std::string why) {
          support::add_failed_dir(r, dir);
          problems.push_back(fmt::format("{} ({}): {}", dir, role, why));
        };
        const auto probes = keepalive_probes(c, dir);
        const auto peer_probes = keepalive_probes(c, tcp::peer_dir(dir));
        const std::set<const TcpSegment*> peer_probe_set(peer_probes.begin(), peer_probes.end());
        std::vector<Received> rx;
        for (const auto& a : c.peer_of(dir).segments)
          if (a.delivered)
            rx.push_back({a.delivered_us, a.i(), peer_probe_set.count(&a) > 0, a.tcp().has(f::rst) || a.tcp().has(f::fin)});
        // The connection is over for the prober at a peer RST/FIN it got, its own RST/FIN, or the log's end.
        // Its own comes first after its last probe, even when the peer's crossed it on the wire (both gave up).
        std::int64_t over = log_end;
        for (const auto& x : rx)
          if (x.ends) over = std::min(over, x.t_us);
        const TcpSegment* own_end = nullptr;
        const std::int64_t since = probes.empty() ? 0 : probes.back()->t_us();
        for (const auto& s : c.dir(dir).segments)
          if ((s.tcp().has(f::rst) || s.tcp().has(f::fin)) && s.t_us() >= since) { own_end = &s; break; }
        if (own_end) over = std::min(over, own_end->t_us());
        std::optional<tcp::TimedReport> timed_out;
        for (auto& e : tcp::peer_events(in, role, "error"))
          if (e.event.value("errno", "") == "ETIMEDOUT") { timed_out = e; break; }

        json side{{"dir", dir}, {"prober", role}, {"probes", json::array()}};
        // Within the tolerance, or up to one timer tick late for a ticked stack.
        const double tick_ms = reported_tick_ms(in, role);
        if (tick_ms > 0) side["timer_tick_ms"] = tick_ms;
        const auto on_time = [&](double measured, double expected) {
          const double slack = tol.for_expected(expected);
          return tol.fits(measured, expected) ||
                 (tick_ms > 0 && measured >= expected - slack && measured <= expected + tick_ms + slack);
        };
        const auto allowed = [&](double expected) {
          return tick_ms > 0 ? fmt::format("+- {:.0f}, or up to a {:.0f} ms timer tick late", tol.for_expected(expected), tick_ms)
                             : fmt::format("+- {:.0f}", tol.for_expected(expected));
        };
        std::string first_problem;
        for (std::size_t j = 0; j < probes.size(); ++j) {
          const TcpSegment& p = *probes[j];
          r.evidence.push_back(p.i());
          json pm{{"i", p.i()}, {"t_ms", tcp::ms(p.t_us())}, {"bytes", p.tcp().payload_length}};
          bool fits = false;
          std::optional<Due> shown;  // the reading it fits, else the one it misses by least
          for (Reading how : {Reading::without_peer_probes, Reading::with_peer_probes}) {
            const auto due = due_at(probes, j, rx, p.t_us(), how, k);
            if (!due) continue;
            if (!shown || std::abs(p.t_us() - due->t_us) < std::abs(p.t_us() - shown->t_us)) shown = due;
            if (due->unanswered >= k.count) continue;  // a probe past the count: judged below
            const double measured = due->expected_ms + tcp::ms(p.t_us() - due->t_us);
            if (on_time(measured, due->expected_ms)) { fits = true, shown = due; break; }
          }
          if (!shown) {
            not_judged.push_back(fmt::format("{}: probe i={} before anything was received", dir, p.i()));
            continue;
          }
          const double measured = shown->expected_ms + tcp::ms(p.t_us() - shown->t_us);
          pm.update({{"after", shown->from}, {"after_ms", measured}, {"expected_ms", shown->expected_ms}});
          side["probes"].push_back(pm);
          if (!fits && shown->unanswered < k.count && first_problem.empty())
            first_problem = fmt::format("probe i={} came {:.0f} ms after {}, expected {:.0f} ms ({})", p.i(), measured,
                                        shown->from, shown->expected_ms, allowed(shown->expected_ms));
        }
        if (!first_problem.empty()) fail(first_problem);

        // After the last probe: the give-up, or what was due when the connection ended.
        const auto after = [&](Reading how) { return due_at(probes, probes.size(), rx, over, how, k); };
        const auto strict = after(Reading::without_peer_probes), lenient = after(Reading::with_peer_probes);
        const int most = strict ? strict->unanswered : 0, least = lenient ? lenient->unanswered : 0;
        side["unanswered"] = most == least ? json(most) : json::array({least, most});
        const bool rst_after_probe = own_end && own_end->tcp().has(f::rst) && !probes.empty() && most > 0;
        if (timed_out || rst_after_probe) {
          const std::optional<std::int64_t> at = rst_after_probe ? std::optional(own_end->t_us()) : timed_out->t_us;
          side["gave_up"] = {{"with", rst_after_probe ? "rst" : "nothing"},
                             {"etimedout_reported", timed_out.has_value()}};
          if (rst_after_probe) r.evidence.push_back(own_end->i());
          if (timed_out && timed_out->i) r.evidence.push_back(*timed_out->i);
          if (probes.empty()) {
            fail("gave up (ETIMEDOUT) without sending a single keep-alive probe");
          } else if (k.count < least || k.count > most) {
            fail(fmt::format("gave up after {} unanswered probe(s), configured count {}", most == least ? fmt::format("{}", most)
                                                                                                         : fmt::format("{}..{}", least, most), k.count));
          } else if (at) {
            const double waited = tcp::ms(*at - probes.back()->t_us());
            side["gave_up"]["after_last_probe_ms"] = waited;
            if (!on_time(waited, k.intvl_s * 1000.0))
              fail(fmt::format("gave up {:.0f} ms after its last probe i={}, expected the interval {:.0f} ms ({})",
                               waited, probes.back()->i(), k.intvl_s * 1000.0, allowed(k.intvl_s * 1000.0)));
          } else {
            not_judged.push_back(fmt::format("{}: the give-up's time (ETIMEDOUT without a logged time, no RST)", dir));
          }
          if (!timed_out)
            fail(fmt::format("ended the connection (RST i={}) after {} unanswered probe(s) but its application was not "
                             "told ETIMEDOUT", own_end->i(), most));
        } else if (least > k.count) {
          fail(fmt::format("kept probing: {} unanswered probes, configured count {}", least, k.count));
        } else {
          // Silence past the due time. The latest of the readings' due times: the lenient one.
          std::optional<Due> due;
          for (const auto& d : {strict, lenient})
            if (d && (!due || d->t_us > due->t_us)) due = d;
          bool data_outstanding = false;  // then the retransmission timer runs, not keep-alive
          for (const auto& s : c.dir(dir).segments)
            if (due && s.t_us() > due->t_us - static_cast<std::int64_t>(due->expected_ms * 1000) && s.tcp().payload_length > 1)
              data_outstanding = true;
          if (!due || data_outstanding) {
            not_judged.push_back(fmt::format("{}: {}", dir, data_outstanding ? "data outstanding: the retransmission timer runs, not keep-alive"
                                                                              : "nothing received to be idle after"));
          } else {
            const bool give_up_due = due->unanswered >= k.count;
            const double late = tcp::ms(over - due->t_us);
            if (late > tol.for_expected(due->expected_ms) + tick_ms)
              fail(fmt::format("{} was due {:.0f} ms after {}, but nothing came for {:.0f} ms more{}",
                               give_up_due ? "the give-up" : probes.empty() ? "a first probe" : "a probe", due->expected_ms,
                               due->from, late, probes.empty() ? " (it never probed)" : ""));
            else
              not_judged.push_back(fmt::format("{}: the connection ended {:.0f} ms {} its {} was due ({:.0f} ms after {})", dir,
                                               std::abs(late), late <= 0 ? "before" : "after (within the tolerance)",
                                               give_up_due ? "give-up" : "next probe", due->expected_ms, due->from));
          }
        }
        sides.push_back(side);
      }
    }
    r.measured["sides"] = sides;
    if (!not_judged.empty()) r.measured["not_judged"] = not_judged;
    int probed = 0;
    for (const auto& s : sides) probed += static_cast<int>(s["probes"].size());
    if (!problems.empty()) {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}", fmt::join(problems, "; "));
    } else if (probed == 0) {
      r.verdict = Verdict::not_applicable;
      r.detail = sides.empty() ? "no established TCP connection" : "no side sent a keep-alive probe, and none was due before the connection ended";
    } else {
      std::vector<std::string> what;
      for (const auto& s : sides)
        if (!s["probes"].empty())
          what.push_back(fmt::format("{} ({}): {} probe(s) on schedule{}", s["dir"].get<std::string>(), s["prober"].get<std::string>(),
                                     s["probes"].size(), s.contains("gave_up") ? fmt::format(", gave up with {} and ETIMEDOUT", s["gave_up"]["with"].get<std::string>()) : ""));
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{}", fmt::join(what, "; "));
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_keepalive() { return std::make_unique<Keepalive>(); }

}  // namespace wireproof::checks
