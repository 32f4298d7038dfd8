// delayed_ack: a receiver acks received data in time, and often enough
// (docs/CHECKS.md "delayed_ack"), RFC 9293 3.8.6.3 / RFC 1122 4.2.3.2:
//  - each delivered data segment is covered by an ACK (ack >= its end) from
//    the receiver within max_delay_ms (500) of its delivery; a segment
//    delivered less than max_delay_ms before the log ends is not judged;
//  - for every delivered run of in-order full-sized segments (payload == the
//    largest the sender sent), of N >= 4 segments, the receiver's ACK advanced
//    at least floor(N / 2) times within the run: "an ACK for at least every
//    second segment", counted so that two segments processed in one batch
//    do not fail it.
// The direction judged is the receiver's (the side that sends the ACKs).
// The every-second-segment rule is a SHOULD that Linux meets or not by
// scheduling: with tcp_backlog_ack_defer (6.8+, on by default) the segments
// queued on a socket the application holds are acked in one batch, so a
// clean run on a busy host acks 33 segments with 12 ACKs. It fails only when a
// scenario asks (`every_second: true`); otherwise a shortfall is measured and
// named in the detail, not judged.
// not_applicable: no delivered data. Parameters: max_delay_ms (500),
// every_second (false).
#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/params.hpp"
#include "harness/checks/tcp/tcp_support.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
using dissect::TcpSegment;

class DelayedAck final : public Check {
 public:
  std::string name() const override { return "delayed_ack"; }
  std::string rfc() const override { return "RFC 9293 3.8.6.3 / RFC 1122 4.2.3.2"; }
  std::string sentence() const override {
    return "The delay MUST be less than 0.5 seconds, and in a stream of full-sized segments there SHOULD be an ACK "
           "for at least every second segment.";
  }
  std::vector<std::string> protocols() const override { return tcp::over_tcp(); }
  std::vector<std::string> parameters() const override { return {"max_delay_ms", "every_second"}; }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    const auto max_delay_us = static_cast<std::int64_t>(support::number_param(params, "max_delay_ms", 500) * 1000);
    const bool every_second_judged = params.value("every_second", false);
    std::vector<std::string> shortfalls;  // every-second shortfalls not judged
    CheckResult r;
    r.expected = {{"max_delay_ms", max_delay_us / 1000.0},
                  {"every_second", "ACK advances >= floor(N/2) over N >= 4 in-order full-sized segments"}};
    r.measured = json::object();
    std::int64_t log_end = 0;
    for (const auto* d : in.log.datagrams()) log_end = std::max(log_end, d->t_us);
    std::vector<std::string> problems;
    int judged = 0, runs = 0;
    for (const auto& c : tcp::connections(in)) {
      for (const char* dir : tcp::kDirs) {
        const std::string receiver_dir = tcp::peer_dir(dir);
        const auto& acks = c.dir(receiver_dir).segments;
        std::vector<const TcpSegment*> data;
        std::size_t full = 0;
        for (const auto& s : c.dir(dir).segments) {
          full = std::max(full, s.tcp().payload_length);
          if (s.delivered && s.tcp().payload_length > 0) data.push_back(&s);
        }
        std::stable_sort(data.begin(), data.end(),
                         [](const TcpSegment* a, const TcpSegment* b) { return a->delivered_us < b->delivered_us; });
        bool late_reported = false;
        for (const TcpSegment* s : data) {
          if (s->delivered_us + max_delay_us > log_end) continue;
          ++judged;
          const TcpSegment* ack = nullptr;
          // Covered by a cumulative ACK, or, for data above a hole, by the
          // duplicate ACK RFC 5681 4.2 asks for (its ack is below the data:
          // a cumulative ACK cannot cover it until the hole is repaired).
          for (const auto& a : acks)
            if (a.ack && (*a.ack >= s->data_end() || *a.ack < s->data_start) && a.t_us() >= s->delivered_us) {
              ack = &a;
              break;
            }
          if (ack && ack->t_us() - s->delivered_us <= max_delay_us) continue;
          if (late_reported) continue;
          late_reported = true;
          support::add_failed_dir(r, receiver_dir);
          r.evidence.push_back(s->i());
          problems.push_back(fmt::format("{} data i={} was {}", dir, s->i(),
                                         ack ? fmt::format("acked only {:.0f} ms after its delivery (i={})",
                                                           tcp::ms(ack->t_us() - s->delivered_us), ack->i())
                                             : std::string("never acked")));
        }
        // Runs of in-order full-sized segments.
        std::vector<const TcpSegment*> run;
        const auto judge_run = [&] {
          if (run.size() >= 4) {
            ++runs;
            std::int64_t last = -1;
            std::size_t advances = 0;
            for (const auto& a : acks)
              if (a.ack && *a.ack > run.front()->data_start && *a.ack <= run.back()->data_end() && *a.ack > last &&
                  a.t_us() >= run.front()->delivered_us)
                ++advances, last = *a.ack;
            if (advances < run.size() / 2) {
              if (every_second_judged) {
                support::add_failed_dir(r, receiver_dir);
                r.evidence.push_back(run.front()->i());
              }
              (every_second_judged ? problems : shortfalls).push_back(fmt::format("{} acked {} full-sized {} segments (from i={}) with {} advancing ACK(s), "
                                             "expected at least {}",
                                             receiver_dir, run.size(), dir, run.front()->i(), advances, run.size() / 2));
            }
          }
          run.clear();
        };
        // In order means at the receiver's next expected byte when delivered.
        // Segments above a hole are out of order: RFC 5681 4.2 has them acked
        // at once (duplicate ACKs), and the one cumulative ACK when the hole
        // fills covers them all, so they are never part of a run.
        std::optional<std::int64_t> rcv_nxt;
        for (const TcpSegment* s : data) {
          const bool in_order = !rcv_nxt || s->data_start == *rcv_nxt;
          if (!rcv_nxt || (s->data_start <= *rcv_nxt && s->data_end() > *rcv_nxt)) {
            rcv_nxt = s->data_end();
            // A repaired hole: what arrived above it is now in sequence too.
            for (bool grew = true; grew;) {
              grew = false;
              for (const TcpSegment* earlier : data)
                if (earlier->delivered_us <= s->delivered_us && earlier->data_start <= *rcv_nxt &&
                    earlier->data_end() > *rcv_nxt)
                  rcv_nxt = earlier->data_end(), grew = true;
            }
          }
          if (s->tcp().payload_length != full || !in_order || (!run.empty() && s->data_start != run.back()->data_end()))
            judge_run();
          if (s->tcp().payload_length == full && in_order) run.push_back(s);
        }
        judge_run();
      }
    }
    r.measured["segments_judged"] = judged;
    r.measured["full_sized_runs_judged"] = runs;
    if (!shortfalls.empty()) r.measured["every_second_shortfalls_not_judged"] = shortfalls;
    if (!problems.empty()) {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}", fmt::join(problems, "; "));
    } else if (judged == 0) {
      r.verdict = Verdict::not_applicable;
      r.detail = "no delivered data segment to be acked";
    } else {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{} data segment(s) acked within {:.0f} ms; {} full-sized run(s), {}", judged,
                             max_delay_us / 1000.0, runs,
                             shortfalls.empty() ? "each acked every second segment"
                                                : "every-second rule not judged (every_second: false): " +
                                                      fmt::format("{}", fmt::join(shortfalls, "; ")));
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_delayed_ack() { return std::make_unique<DelayedAck>(); }

}  // namespace wireproof::checks
