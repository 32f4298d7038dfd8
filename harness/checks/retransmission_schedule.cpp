// retransmission_schedule: timer-driven handshake retransmissions follow the
// RFC 6347 4.2.4.1 back-off, judged against the timer each side was ASKED to
// use (Inputs::client/server_timer_initial_ms), never its own report.
//
// The acceptance rule (support/backoff.hpp; docs/CHECKS.md, with numbers):
// the k-th timer retransmission of a flight (k = 0, 1, ...) leaves
// initial * 2^k after that flight's previous transmission, capped at
// max_timer_ms (larger caps are allowed: "no less than"), within
// max(expect.retransmit.tolerance_ms, tolerance_pct %) (defaults 15 ms, 10 %);
// every flight starts at k = 0. Answers to the peer's retransmission, what
// follows them in their flight, the last flight's resends (it has no timer)
// and a stateless server's HelloVerifyRequests are reported, not judged.
//
// Verdict: fail when a judged retransmission is off schedule on the wire and
// the library's own deadline (its `timer` event) was off too or is unknown
// ("wire only"), or when a direction has fewer judged than `min_judged`;
// inconclusive when every off-schedule one had its deadline on schedule (the
// host woke the process late); not_applicable when nothing was judged and
// nothing was required; else pass.
//
// Parameters (expect.checks.retransmission_schedule):
//   group_window_ms     (default 20)  datagrams closer than this form one transmission
//   response_window_ms  (default 5)   a retransmission this soon after an arrival is an answer
//   max_timer_ms        (default 60000) the cap the back-off reaches
//   min_judged          (default 0)   judged timer retransmissions required: N for
//                                     both directions, or {c2s: N, s2c: M}
#include <set>

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/backoff.hpp"
#include "harness/checks/support/params.hpp"
#include "harness/checks/support/send_order.hpp"
#include "harness/checks/support/transmissions.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
using support::JudgedRetransmission;
using Outcome = JudgedRetransmission::Outcome;

const char* const kDirs[] = {"c2s", "s2c"};

double ms3(double ms) { return std::round(ms * 1000.0) / 1000.0; }

// min_judged: a non-negative integer for both directions, or {c2s: N, s2c: M}.
std::map<std::string, int> min_judged(const json& params) {
  std::map<std::string, int> out{{"c2s", 0}, {"s2c", 0}};
  if (!params.contains("min_judged")) return out;
  const json& v = params["min_judged"];
  const auto bad = [&] {
    return std::runtime_error("parameter 'min_judged' must be a non-negative integer or {c2s: N, s2c: N}, got " +
                              v.dump());
  };
  const auto count = [&](const json& n) {
    if (!n.is_number_integer() || n.get<long long>() < 0) throw bad();
    return static_cast<int>(n.get<long long>());
  };
  if (v.is_object()) {
    for (const auto& [key, n] : v.items()) {
      if (key != "c2s" && key != "s2c") throw bad();
      out[key] = count(n);
    }
  } else {
    out["c2s"] = out["s2c"] = count(v);
  }
  return out;
}

// "100 +- 15" for the first levels of a direction's schedule.
json schedule_text(const support::Backoff& b) {
  json levels = json::array();
  for (int k = 0; k < 6; ++k) {
    const double e = b.expected_ms(k);
    levels.push_back(fmt::format("{:g} +- {:g}", e, b.tolerance_for(e)));
  }
  return levels;
}

// "client was asked for 100 ms but reported 1000 ms ..." for each side whose
// ready event disagrees with what it was asked.
std::vector<std::string> contract_notes(const Inputs& in, const support::Backoffs& b) {
  std::vector<std::string> notes;
  const auto note = [&](const char* role, const std::optional<int>& reported, double asked) {
    if (reported && *reported != asked)
      notes.push_back(fmt::format("{} was asked for {:g} ms but reported {} ms (timer_initial_ms_effective): a "
                                  "contract violation, judged against {:g} ms",
                                  role, asked, *reported, asked));
  };
  note("client", in.client_timer_reported_ms, b.c2s.initial_ms);
  note("server", in.server_timer_reported_ms, b.s2c.initial_ms);
  return notes;
}

class RetransmissionSchedule final : public Check {
 public:
  std::string name() const override { return "retransmission_schedule"; }
  std::string rfc() const override { return "RFC 6347 4.2.4.1"; }
  std::string sentence() const override {
    return "Implementations SHOULD use an initial timer value of 1 second (the minimum defined in RFC 6298 "
           "[RFC6298]) and double the value at each retransmission, up to no less than the RFC 6298 maximum of "
           "60 seconds.";
  }

  bool judges_timing() const override { return true; }
  std::vector<std::string> parameters() const override {
    return {"group_window_ms", "response_window_ms", "max_timer_ms", "min_judged"};
  }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    support::TransmissionOptions options;
    options.group_window_us = static_cast<std::int64_t>(support::number_param(params, "group_window_ms", 20) * 1000);
    options.response_window_us =
        static_cast<std::int64_t>(support::number_param(params, "response_window_ms", 5) * 1000);
    const auto required = min_judged(params);
    const support::Backoffs backoffs =
        support::backoffs_for(in, support::number_param(params, "max_timer_ms", 60000));
    const support::Backoff& backoff = backoffs.c2s;  // cap and tolerance: the same both ways
    const auto evidence = support::timer_evidence(in);

    CheckResult r;
    const bool same_initial = backoffs.c2s.initial_ms == backoffs.s2c.initial_ms;
    r.expected = {
        {"initial_ms", same_initial ? json(backoff.initial_ms) : json(nullptr)},
        {"initial_ms_by_dir", {{"c2s", backoffs.c2s.initial_ms}, {"s2c", backoffs.s2c.initial_ms}}},
        {"rule", fmt::format("the k-th timer retransmission of a flight (k = 0, 1, ...) leaves initial x 2^k ms "
                             "(capped at {:g} ms) after that flight's previous transmission, +- max({:g} ms, {:g} %); "
                             "every flight starts at k = 0; answers to the peer's retransmission (within {:g} ms of "
                             "its arrival, or with no timer event), the retransmissions after an answer in its "
                             "flight, the last flight's resends (it has no timer) and HelloVerifyRequest resends "
                             "are not judged",
                             backoff.cap_ms, backoff.tolerance_ms, backoff.tolerance_pct,
                             options.response_window_us / 1000.0)},
        {"schedule_ms_by_dir", {{"c2s", schedule_text(backoffs.c2s)}, {"s2c", schedule_text(backoffs.s2c)}}},
        {"backoff", "x2 per timer retransmission"},
        {"flight_start", "level 0 (the initial timer)"},
        {"max_timer_ms", backoff.cap_ms},
        {"tolerance_ms", backoff.tolerance_ms},
        {"tolerance_pct", backoff.tolerance_pct},
        {"group_window_ms", options.group_window_us / 1000.0},
        {"response_window_ms", options.response_window_us / 1000.0},
        {"min_judged", required}};

    const auto series = support::flight_series(in.log, options);
    json flights = json::array();
    std::map<std::string, int> judged{{"c2s", 0}, {"s2c", 0}};
    std::size_t responses = 0, bad = 0, late = 0;
    std::string first_bad, first_late;
    std::set<std::string> bad_dirs;  // measured.failed_dirs: whose timer was off
    for (const auto& js : support::judge_retransmissions(series, backoffs, evidence)) {
      json intervals = json::array();
      int timer_number = 0;
      for (const auto& j : js.retransmissions) {
        const support::Transmission& t = *j.transmission;
        const std::uint64_t i = t.datagrams.front()->i;
        json entry{{"i", i}, {"kind", support::to_string(j.kind)}, {"interval_ms", ms3(j.interval_ms)},
                   {"judged", j.judged}};
        if (t.trigger_i && j.kind == JudgedRetransmission::Kind::response) entry["answers_i"] = *t.trigger_i;
        if (j.expiry) {
          entry["timer_event_i"] = j.expiry->i;
          entry["lateness_ms"] = ms3(j.expiry->lateness_ms);
        }
        if (!j.judged) {
          if (j.kind == JudgedRetransmission::Kind::response) ++responses;
          entry["not_judged_because"] = j.not_judged_because;
          intervals.push_back(std::move(entry));
          continue;
        }
        ++judged[js.series->dir];
        ++timer_number;
        r.evidence.push_back(i);
        entry["expected_ms"] = j.expected_ms;
        entry["tolerance_ms"] = j.tolerance_ms;
        entry["backoff_level"] = j.level;
        entry["ok"] = j.outcome == Outcome::ok;
        if (j.expiry) entry["deadline_interval_ms"] = ms3(j.deadline_interval_ms);
        if (j.outcome != Outcome::ok) entry["outcome"] = j.outcome == Outcome::host_late ? "host_late" : "off_schedule";
        intervals.push_back(std::move(entry));
        if (j.outcome == Outcome::ok) continue;
        const std::string what =
            fmt::format("{} flight {} timer retransmission {} (i={}) came {:.1f} ms after the previous transmission, "
                        "expected {:.0f} ms +- {:.0f} ms",
                        js.series->dir, js.series->flight, timer_number, i, j.interval_ms, j.expected_ms,
                        j.tolerance_ms);
        if (j.outcome == Outcome::host_late) {
          ++late;
          if (first_late.empty())
            first_late = fmt::format("{}; its library's deadline was on schedule ({:.1f} ms after the previous "
                                     "transmission): the host woke the process {:.1f} ms late (timer event i={})",
                                     what, j.deadline_interval_ms, j.expiry->lateness_ms, j.expiry->i);
          continue;
        }
        ++bad;
        bad_dirs.insert(js.series->dir);
        if (first_bad.empty())
          first_bad = j.expiry ? fmt::format("{}; the library set its deadline {:.1f} ms after the previous "
                                             "transmission (timer event i={})",
                                             what, j.deadline_interval_ms, j.expiry->i)
                               : what + " (wire only: no timer event)";
      }
      flights.push_back({{"dir", js.series->dir}, {"flight", js.series->flight},
                         {"transmissions", js.series->transmissions.size()}, {"intervals", intervals}});
    }

    json evidence_by_dir, reported_by_dir;
    std::string sides;
    for (const char* dir : kDirs) {
      evidence_by_dir[dir] = evidence.for_dir(dir).empty() ? "wire only" : "timer events";
      sides += fmt::format("{}{} {} ({})", sides.empty() ? "" : ", ", dir, judged[dir],
                           evidence_by_dir[dir].get<std::string>());
    }
    reported_by_dir["c2s"] = in.client_timer_reported_ms ? json(*in.client_timer_reported_ms) : json(nullptr);
    reported_by_dir["s2c"] = in.server_timer_reported_ms ? json(*in.server_timer_reported_ms) : json(nullptr);
    const int total = judged["c2s"] + judged["s2c"];
    r.measured = {{"flights", flights},     {"judged_retransmissions", total}, {"judged_by_dir", judged},
                  {"responses", responses}, {"off_schedule", bad},             {"host_late", late},
                  {"evidence_by_dir", evidence_by_dir}, {"timer_reported_by_dir", reported_by_dir}};

    std::vector<std::string> shortfalls;
    for (const char* dir : kDirs)
      if (judged[dir] < required.at(dir))
        shortfalls.push_back(fmt::format("{}: {} timer retransmission(s) judged, the scenario requires {}", dir,
                                         judged[dir], required.at(dir)));
    const auto notes = contract_notes(in, backoffs);
    const std::string tail = fmt::format("; judged: {}{}", sides,
                                         notes.empty() ? "" : fmt::format("; {}", fmt::join(notes, "; ")));

    if (bad > 0 || !shortfalls.empty()) {
      r.verdict = Verdict::fail;
      std::vector<std::string> why;
      if (bad > 0) why.push_back(fmt::format("{} of {} timer-driven retransmissions off schedule; first: {}", bad, total, first_bad));
      if (!shortfalls.empty()) why.push_back(fmt::format("too few judged: {}", fmt::join(shortfalls, "; ")));
      r.detail = fmt::format("{}", fmt::join(why, "; ")) + tail;
      for (const char* dir : kDirs)
        if (judged[dir] < required.at(dir)) bad_dirs.insert(dir);
      for (const auto& dir : bad_dirs) support::add_failed_dir(r, dir);
    } else if (late > 0) {
      r.verdict = Verdict::inconclusive;
      r.detail = fmt::format("{} of {} timer-driven retransmissions off schedule only because the host ran the "
                             "process late; first: {}",
                             late, total, first_late) + tail;
    } else if (total == 0) {
      r.verdict = Verdict::not_applicable;
      r.detail = responses == 0 ? "nothing was retransmitted"
                                : fmt::format("no timer-driven retransmission judged; {} answer(s) to the peer's "
                                              "retransmissions reported, not judged",
                                              responses);
      if (!notes.empty() || responses > 0) r.detail += tail;
    } else {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{} timer-driven retransmission(s) on schedule (initial c2s {:g} ms, s2c {:g} ms, "
                             "doubling, +- max({:g} ms, {:g} %))",
                             total, backoffs.c2s.initial_ms, backoffs.s2c.initial_ms, backoff.tolerance_ms,
                             backoff.tolerance_pct) + tail;
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_retransmission_schedule() { return std::make_unique<RetransmissionSchedule>(); }

}  // namespace wireproof::checks
