// fast_retransmit: loss signalled by duplicate ACKs is repaired without the
// timer, and a receiver signals out-of-order data at once (docs/CHECKS.md):
//  - sender (RFC 5681 3.2): after the third duplicate ACK for ack A reaches
//    it, its next retransmission of A is `fast` (dissect/tcp_stream) and
//    leaves within max_delay_ms; an `rto` one (it waited for the timer) or
//    none while A stays unacked fails. A run whose data was acked before any
//    resend (reordering, not loss) is not judged, nor one that does not
//    cover more than `recover` (RFC 6582 3.2: the highest sequence number
//    sent when the sender last had an RTO or fast retransmission; such
//    duplicates start no fast retransmit, RFC 6675 5 likewise; a resend
//    answering an ICMP frag-needed counts too: Linux's tcp_simple_retransmit
//    enters loss recovery as an RTO does, and no RFC says otherwise). Duplicate
//    ACKs are counted as the sender received them (dissect/tcp_stream).
//  - receiver (RFC 5681 4.2): for each delivered segment that starts above
//    the receiver's next expected byte, it sends an ACK of that next byte
//    within immediate_ack_ms of the delivery.
// not_applicable: no run of 3 duplicate ACKs and no out-of-order arrival.
// The receiver rule is judged only when a scenario asks (immediate_dup_ack:
// true): Linux 6.8+ (tcp_backlog_ack_defer=1) acks segments queued on a
// socket its application holds in one batch, so how soon it answers
// out-of-order data depends on scheduling (1 MB at 1 % loss on a busy host:
// no ACK within 20 ms for a burst). Otherwise its shortfalls are measured and
// named, not judged.
// Parameters: max_delay_ms (100), immediate_ack_ms (20), immediate_dup_ack (false).
#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/params.hpp"
#include "harness/checks/tcp/tcp_support.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
using dissect::RetransmissionKind;
using dissect::SegmentKind;
using dissect::TcpConnection;
using dissect::TcpSegment;

class FastRetransmit final : public Check {
 public:
  std::string name() const override { return "fast_retransmit"; }
  std::string rfc() const override { return "RFC 5681 3.2 / 4.2"; }
  std::string sentence() const override {
    return "The TCP sender SHOULD use the \"fast retransmit\" algorithm to detect and repair loss, based on "
           "incoming duplicate ACKs.";
  }
  std::vector<std::string> protocols() const override { return tcp::tcp_only(); }
  std::vector<std::string> parameters() const override {
    return {"max_delay_ms", "immediate_ack_ms", "immediate_dup_ack"};
  }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    const auto max_delay_us = static_cast<std::int64_t>(support::number_param(params, "max_delay_ms", 100) * 1000);
    const auto immediate_us = static_cast<std::int64_t>(support::number_param(params, "immediate_ack_ms", 20) * 1000);
    const bool judge_receivers = params.value("immediate_dup_ack", false);
    std::vector<std::string> receiver_shortfalls;  // not judged unless asked
    CheckResult r;
    r.expected = {{"sender", "after the 3rd duplicate ACK, a fast retransmission of the missing segment"},
                  {"max_delay_ms", max_delay_us / 1000.0},
                  {"receiver", "an immediate ACK of the next expected byte for out-of-order data"},
                  {"immediate_ack_ms", immediate_us / 1000.0}};
    r.measured = json::object();
    std::vector<std::string> problems, runs_not_judged;
    int sender_judged = 0, receiver_judged = 0, receiver_unjudged = 0;
    for (const auto& c : tcp::connections(in)) {
      for (const char* dir : tcp::kDirs) {
        judge_sender(c, dir, max_delay_us, r, problems, runs_not_judged, sender_judged);
        judge_receiver(c, dir, immediate_us, r, judge_receivers ? problems : receiver_shortfalls,
                       judge_receivers ? receiver_judged : receiver_unjudged, judge_receivers);
      }
    }
    r.measured["dup_ack_runs_judged"] = sender_judged;
    if (!runs_not_judged.empty()) r.measured["dup_ack_runs_not_judged"] = runs_not_judged;
    r.measured["out_of_order_arrivals_judged"] = receiver_judged;
    if (!receiver_shortfalls.empty()) r.measured["immediate_dup_ack_shortfalls_not_judged"] = receiver_shortfalls;
    if (!problems.empty()) {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}", fmt::join(problems, "; "));
    } else if (sender_judged + receiver_judged == 0) {
      r.verdict = Verdict::not_applicable;
      r.detail = "no run of 3 duplicate ACKs and no out-of-order arrival";
    } else {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{} duplicate-ACK run(s) repaired by fast retransmit, {} out-of-order arrival(s) "
                             "acked at once",
                             sender_judged, receiver_judged);
    }
    return r;
  }

 private:
  // RFC 6582's `recover` when an ACK reached the sender of `dir` at `at_us`:
  // snd_max before its latest RTO, fast or ICMP-answering retransmission by
  // then, and that retransmission's log index (nullopt: none yet, recover is the ISN).
  static std::optional<std::pair<std::int64_t, std::uint64_t>> recover_at(const TcpConnection& c, const std::string& dir,
                                                                          std::int64_t at_us) {
    const auto& segs = c.dir(dir).segments;
    std::optional<std::pair<std::int64_t, std::uint64_t>> out;
    for (const auto& s : segs) {
      if (s.t_us() >= at_us) break;
      if (s.kind != SegmentKind::retransmission) continue;
      const bool answers_icmp = s.previous && tcp::icmp_reached_sender(c, dir, segs[*s.previous].t_us(), s.t_us());
      if (s.rtx == RetransmissionKind::rto || s.rtx == RetransmissionKind::fast || answers_icmp)
        out = std::pair{s.snd_max_before, s.i()};
    }
    return out;
  }

  // The sender of `dir` against the third duplicate ACKs it received.
  static void judge_sender(const TcpConnection& c, const std::string& dir, std::int64_t max_delay_us, CheckResult& r,
                           std::vector<std::string>& problems, std::vector<std::string>& not_judged, int& judged) {
    const auto& sender = c.dir(dir).segments;
    for (const auto& a : c.peer_of(dir).segments) {
      if (a.dup_ack_number != 3 || !a.delivered || !a.ack) continue;
      const std::int64_t hole = *a.ack;
      const TcpSegment* resend = nullptr;
      for (const auto& s : sender)
        if (s.kind == SegmentKind::retransmission && s.t_us() >= a.delivered_us && s.seq <= hole && s.end > hole) {
          resend = &s;
          break;
        }
      // Acked before any resend: the "loss" was reordering.
      bool acked_first = false;
      for (const auto& b : c.peer_of(dir).segments)
        if (b.ack && *b.ack > hole && b.delivered && (!resend || b.delivered_us < resend->t_us())) acked_first = true;
      if (acked_first) continue;
      // "covers more than recover": ack - 1 > the highest sequence number sent then.
      if (const auto recover = recover_at(c, dir, a.delivered_us); recover && hole <= recover->first) {
        not_judged.push_back(fmt::format("{}: the 3rd duplicate ACK of {} (i={}) does not cover more than recover (the "
                                         "highest sequence sent before the retransmission i={}): RFC 6582 3.2 starts "
                                         "no fast retransmit",
                                         dir, hole, a.i(), recover->second));
        continue;
      }
      ++judged;
      r.evidence.push_back(a.i());
      // Repaired by the duplicate ACKs: a fast (or later loss-recovery)
      // resend within max_delay_ms, or any resend so soon after the third
      // duplicate ACK (kAckTriggeredUs) that only the ACK can have caused it,
      // whatever label its own interval earned it (a 0.1 ms reply is no timer).
      constexpr std::int64_t kAckTriggeredUs = 2000;
      const std::int64_t after = resend ? resend->t_us() - a.delivered_us : 0;
      const bool by_acks = resend && after >= 0 &&
                           (((resend->rtx == RetransmissionKind::fast || resend->rtx == RetransmissionKind::recovery) &&
                             after <= max_delay_us) ||
                            after <= kAckTriggeredUs);
      if (by_acks) {
        r.evidence.push_back(resend->i());
        continue;
      }
      support::add_failed_dir(r, dir);
      if (!resend)
        problems.push_back(fmt::format("{}: the 3rd duplicate ACK of {} (i={}) was never followed by a retransmission of it",
                                       dir, hole, a.i()));
      else
        problems.push_back(fmt::format("{}: after the 3rd duplicate ACK of {} (i={}) the resend i={} came {:.1f} ms later as "
                                       "{} (expected fast, within {:.0f} ms)",
                                       dir, hole, a.i(), resend->i(), tcp::ms(resend->t_us() - a.delivered_us),
                                       dissect::to_string(resend->rtx), max_delay_us / 1000.0));
    }
  }

  // The receiver of `dir`'s data (the peer) against each out-of-order delivery.
  static void judge_receiver(const TcpConnection& c, const std::string& dir, std::int64_t immediate_us, CheckResult& r,
                             std::vector<std::string>& problems, int& judged, bool judged_rule) {
    std::vector<const TcpSegment*> arrivals;
    for (const auto& s : c.dir(dir).segments)
      if (s.delivered && s.tcp().payload_length > 0) arrivals.push_back(&s);
    std::stable_sort(arrivals.begin(), arrivals.end(),
                     [](const TcpSegment* a, const TcpSegment* b) { return a->delivered_us < b->delivered_us; });
    std::map<std::int64_t, std::int64_t> above;  // out-of-order ranges held: start -> end
    std::int64_t rcv_nxt = 0;
    for (const TcpSegment* s : arrivals) {
      if (s->data_start > rcv_nxt) {
        ++judged;
        r.evidence.push_back(s->i());
        const TcpSegment* answer = nullptr;
        for (const auto& a : c.peer_of(dir).segments)
          if (a.ack && *a.ack == rcv_nxt && a.t_us() >= s->delivered_us && a.t_us() - s->delivered_us <= immediate_us) {
            answer = &a;
            break;
          }
        if (!answer) {
          if (judged_rule) support::add_failed_dir(r, tcp::peer_dir(dir));
          problems.push_back(fmt::format("{} data i={} arrived out of order (starts at {}, next expected {}) and the "
                                         "receiver sent no ACK of {} within {:.0f} ms",
                                         dir, s->i(), s->data_start, rcv_nxt, rcv_nxt, immediate_us / 1000.0));
        }
        above[s->data_start] = std::max(above[s->data_start], s->data_end());
        continue;
      }
      rcv_nxt = std::max(rcv_nxt, s->data_end());
      for (auto it = above.begin(); it != above.end() && it->first <= rcv_nxt; it = above.erase(it))
        rcv_nxt = std::max(rcv_nxt, it->second);
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_fast_retransmit() { return std::make_unique<FastRetransmit>(); }

}  // namespace wireproof::checks
