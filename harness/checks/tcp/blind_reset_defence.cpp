// blind_reset_defence: a RST, SYN or data segment the wire injected (origin
// "wire") into a synchronized connection does what RFC 5961 says
// (docs/CHECKS.md):
//  - each injected segment is classified against the ATTACKED side (the one
//    it was delivered to) at that moment: RCV.NXT = the end of what it had
//    received contiguously, RCV.WND's right edge = the highest ack + scaled
//    window it had advertised;
//  - RST with seq == RCV.NXT (3.2 1): the connection MUST be reset;
//  - RST with RCV.NXT < seq < edge (3.2 3) and any SYN (4.2): a challenge ACK
//    (a pure ACK, ack = RCV.NXT, seq in [SND.UNA, SND.NXT]) within
//    tolerance_ms, and no reset;
//  - RST outside the window (3.2 1, RFC 9293 3.10.7.4): no reset (dropped
//    silently or ACKed: reported, not judged);
//  - RST past the edge seen before it but below the edge of ACKs the wire read
//    just after it (they may have left before it was processed): "at the
//    window's edge", no reset judged, the ACK not.
//  - data (neither RST nor SYN) inside the window whose ACK lies outside
//    [SND.UNA - MAX.SND.WND, SND.NXT] (5.2): discarded (no ACK of the
//    attacked side acks past what genuine segments delivered to it) and an
//    ACK sent back (searched as the challenge ACK; not judged when
//    timestamps were negotiated and the forged segment has none, RFC 7323
//    3.2 lets it be dropped silently).
// Reset or survived is judged from the wire. Reset: its first answer after
// the injection was a RST, or it answered nothing while the peer resent a
// segment it had delivered to it. It survived: it sent the challenge ACK,
// acked data delivered after the injection, or sent anything later than
// tolerance_ms after it (nothing queued before the injection waits that
// long). Its application's ECONNRESET report, scoped to this connection
// (after the injection, before the next injection into it or the next
// connection, no genuine RST reaching it meanwhile), backs a reset only when
// the wire shows neither; against the wire it is noted, not taken.
// A challenge ACK must be told from the ACKs the flow sends anyway, so an ACK
// counts only when nothing else explains it (see challenge_ack); when another
// explanation exists the ACK rule is listed as not judged, never passed.
// Parameters: tolerance_ms (500), throttle_ms (1000: RFC 5961 7 lets a stack
// throttle challenge ACKs, so one missing within that time of an earlier
// injection into the same side is not judged).
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
using dissect::TcpConnection;
using dissect::TcpDirection;
using dissect::TcpSegment;
namespace f = events::tcp_flags;

// One injected segment as the attacked side saw it.
struct Injected {
  const events::Datagram* d = nullptr;
  std::string forged;               // direction it was forged in (c2s: as the client's)
  std::int64_t at_us = 0;           // delivered to the attacked side
  std::int64_t seq = 0;             // relative to the forged sender's ISN (first data byte 0)
  std::int64_t rcv_nxt = 0;         // the attacked side's RCV.NXT then, same space
  std::optional<std::int64_t> edge; // its RCV.NXT + RCV.WND (highest advertised)
  // The highest edge in segments the wire read from it up to tolerance after
  // the delivery that ack no more than rcv_nxt: sent before or after it
  // processed the injection, the wire cannot tell, so seq in [edge, late_edge)
  // is neither surely inside nor surely outside its window.
  std::optional<std::int64_t> late_edge;
};

// The forged direction's genuine segment `s` reached the attacked side before
// the injection delivered at `t_us` with log index `i`.
bool delivered_before(const TcpSegment& s, std::int64_t t_us, std::uint64_t i) {
  return s.delivered && (s.delivered_us < t_us || (s.delivered_us == t_us && s.i() < i));
}

// What the attacked side knew when `d` reached it (nullopt: the forged
// sender's ISN is unknown, so the segment cannot be placed).
std::optional<Injected> place(const TcpConnection& c, const events::Datagram& d, std::int64_t at_us,
                              std::int64_t tolerance_us) {
  const TcpDirection& forged = c.dir(d.dir);
  if (!forged.isn) return std::nullopt;
  Injected j;
  j.d = &d;
  j.forged = d.dir;
  j.at_us = at_us;
  j.seq = static_cast<std::int32_t>(d.tcp->seq - (*forged.isn + 1));
  j.rcv_nxt = tcp::received_through(forged, [&](const TcpSegment& s) { return delivered_before(s, at_us, d.i); });
  for (const auto& s : c.peer_of(d.dir).segments) {
    if (!s.ack || s.tcp().has(f::rst)) continue;
    const std::int64_t e = *s.ack + static_cast<std::int64_t>(s.window);
    if (s.t_us() < at_us) {
      j.edge = j.edge ? std::max(*j.edge, e) : e;
    } else if (s.t_us() <= at_us + tolerance_us && *s.ack <= j.rcv_nxt) {
      j.late_edge = j.late_edge ? std::max(*j.late_edge, e) : e;
    }
  }
  return j;
}

// Why the attacked side is not in a synchronized state (empty: it is).
std::string unsynchronized(const TcpConnection& c, const Injected& j) {
  const TcpDirection& victim = c.peer_of(j.forged);
  const TcpDirection& forged = c.dir(j.forged);
  if (j.rcv_nxt < 0) return "the forged sender's SYN had not reached it";
  std::int64_t una = -1;
  bool fin_in = false;
  for (const auto& s : forged.segments)
    if (delivered_before(s, j.at_us, j.d->i)) {
      if (s.ack) una = std::max(una, *s.ack);
      fin_in = fin_in || s.tcp().has(f::fin);
    }
  if (una < 0) return "its SYN had not been acknowledged";
  for (const auto& s : victim.segments)
    if (s.t_us() < j.at_us && s.tcp().has(f::rst)) return fmt::format("it had already sent a RST (i={})", s.i());
  if (victim.fin_seq && fin_in && una >= *victim.fin_seq + 1) return "both FINs had been exchanged (TIME-WAIT or closed)";
  return {};
}

// When the connection's first segment crossed the wire.
std::optional<std::int64_t> first_segment_us(const TcpConnection& c) {
  std::optional<std::int64_t> t;
  for (const TcpDirection* d : {&c.c2s, &c.s2c})
    if (!d->segments.empty() && (!t || d->segments.front().t_us() < *t)) t = d->segments.front().t_us();
  return t;
}

enum class Kind { exact_rst, in_window_rst, edge_rst, outside_rst, syn, blind_data };
const char* to_string(Kind k) {
  switch (k) {
    case Kind::exact_rst: return "exact RST";
    case Kind::in_window_rst: return "in-window RST";
    case Kind::edge_rst: return "RST at the window's edge";
    case Kind::outside_rst: return "out-of-window RST";
    case Kind::syn: return "SYN";
    case Kind::blind_data: return "data";
  }
  return "?";
}

Kind classify(const Injected& j) {
  if (!j.d->tcp->has(f::rst)) return j.d->tcp->has(f::syn) ? Kind::syn : Kind::blind_data;
  if (j.seq == j.rcv_nxt) return Kind::exact_rst;
  if (j.seq > j.rcv_nxt && j.edge && j.seq < *j.edge) return Kind::in_window_rst;
  if (j.seq > j.rcv_nxt && j.late_edge && j.seq < *j.late_edge) return Kind::edge_rst;
  return Kind::outside_rst;
}

// The challenge ACK, or why the wire cannot tell one from the ACKs the flow
// sends anyway. An ACK in (at, at + tolerance] from the attacked side counts
// when it is pure, acks exactly RCV.NXT, its seq lies in [SND.UNA, SND.NXT]
// (keep-alives and Linux's window probes use SND.UNA - 1), it had already
// acked RCV.NXT before (so it is not the ACK of data received earlier), its
// window is its previous segment's (not a window update), and no genuine
// segment delivered meanwhile asked for an ACK (old, out-of-order or
// keep-alive data).
struct ChallengeSearch {
  const TcpSegment* ack = nullptr;
  std::vector<std::string> ambiguous;
};

// Scaled windows equal but for the scaling's rounding (a SYN's is unscaled).
bool same_window(const TcpSegment& a, const TcpSegment& b, int shift) {
  const auto lo = std::min(a.window, b.window), hi = std::max(a.window, b.window);
  return hi - lo < (std::uint64_t{1} << shift);
}

ChallengeSearch challenge_ack(const TcpConnection& c, const Injected& j, std::int64_t tolerance_us) {
  ChallengeSearch out;
  const TcpDirection& victim = c.peer_of(j.forged);
  const TcpDirection& forged = c.dir(j.forged);
  std::int64_t acked = -1, snd_nxt = -1;
  const TcpSegment* previous = nullptr;
  for (const auto& s : victim.segments) {
    const bool in_time = s.t_us() >= j.at_us && s.t_us() <= j.at_us + tolerance_us;
    if (in_time && !s.tcp().has(f::rst) && s.ack && *s.ack == j.rcv_nxt) {
      const bool pure = s.tcp().payload_length == 0 && !s.tcp().has(f::syn) && !s.tcp().has(f::fin);
      std::int64_t snd_una = -1;
      const TcpSegment* asked = nullptr;
      for (const auto& p : forged.segments) {
        if (!p.delivered || p.delivered_us > s.t_us()) continue;
        if (p.ack) snd_una = std::max(snd_una, *p.ack);
        const bool occupies = p.end > p.seq;
        if (p.delivered_us >= j.at_us && p.seq != j.rcv_nxt && (occupies || p.seq < j.rcv_nxt)) asked = &p;
      }
      if (!pure) {
        out.ambiguous.push_back(fmt::format("its segment i={} carries data or FIN with ack {} (a piggybacked challenge ACK "
                                            "cannot be told from its flow)", s.i(), j.rcv_nxt));
      } else if (s.seq < snd_una || s.seq > snd_nxt) {
        // a keep-alive or window probe (seq SND.UNA - 1): not an answer
      } else if (acked < j.rcv_nxt) {
        out.ambiguous.push_back(fmt::format("its first ACK of {} (i={}) may be the ACK of data received before the "
                                            "injection", j.rcv_nxt, s.i()));
      } else if (previous && !same_window(*previous, s, victim.window_shift)) {
        out.ambiguous.push_back(fmt::format("its ACK i={} changes the window (a window update?)", s.i()));
      } else if (asked) {
        out.ambiguous.push_back(fmt::format("its ACK i={} may answer the peer's i={}", s.i(), asked->i()));
      } else {
        out.ack = &s;
        return out;
      }
    }
    if (s.ack) acked = std::max(acked, *s.ack);
    snd_nxt = std::max(snd_nxt, s.end);
    previous = &s;
  }
  return out;
}

// Blind data (RFC 5961 5.2): the attacked side's acceptable ACK range
// [SND.UNA - MAX.SND.WND, SND.NXT] when `j` reached it, in its own sequence
// space, where the forged ACK lies, and whether the side took the forged
// bytes: one of its ACKs acks past what the forged direction's genuine
// segments had delivered to it (nothing else can explain it).
struct BlindData {
  std::int64_t ack = 0, snd_una = 0, snd_nxt = 0, max_snd_wnd = 0;
  bool acceptable() const { return ack >= snd_una - max_snd_wnd && ack <= snd_nxt; }
  // Both SYNs had timestamps and the forged segment has none: RFC 7323 3.2
  // ("SHOULD silently drop") lets the side drop it without an ACK.
  bool no_timestamp = false;
  const TcpSegment* accepted = nullptr;
  std::int64_t genuine_through = 0;  // what the genuine segments had delivered when `accepted` left
};

std::optional<BlindData> blind_data(const TcpConnection& c, const Injected& j, std::optional<std::int64_t> until_us) {
  const TcpDirection& victim = c.peer_of(j.forged);
  const TcpDirection& forged = c.dir(j.forged);
  if (!victim.isn || !j.d->tcp->has(f::ack)) return std::nullopt;
  BlindData b;
  b.ack = static_cast<std::int32_t>(j.d->tcp->ack - (*victim.isn + 1));
  for (const auto& s : forged.segments)
    if (delivered_before(s, j.at_us, j.d->i)) {
      if (s.ack) b.snd_una = std::max(b.snd_una, *s.ack);
      b.max_snd_wnd = std::max(b.max_snd_wnd, static_cast<std::int64_t>(s.window));
    }
  for (const auto& s : victim.segments)
    if (s.t_us() < j.at_us) b.snd_nxt = std::max(b.snd_nxt, s.end);
  const auto has_ts = [](const TcpDirection& d) { return d.syn && d.segments[*d.syn].tcp().ts_val.has_value(); };
  b.no_timestamp = has_ts(c.c2s) && has_ts(c.s2c) && !j.d->tcp->ts_val;
  for (const auto& s : victim.segments) {
    if (s.t_us() < j.at_us || !s.ack) continue;
    if (until_us && s.t_us() >= *until_us) break;
    const std::int64_t through = tcp::received_through(
        forged, [&](const TcpSegment& p) { return p.delivered && p.delivered_us <= s.t_us(); });
    if (*s.ack > through) {
      b.accepted = &s;
      b.genuine_through = through;
      break;
    }
  }
  return b;
}

// Whether the attacked side's connection was reset by `j` or went on, judged
// from the wire; its application's report only backs a reset the wire is
// silent about, never overrides what the wire shows.
struct Fate {
  std::optional<std::string> reset, alive;  // how each showed (first evidence)
  std::optional<std::string> app_report;    // the side's own reset report, scoped to this connection
  std::vector<std::uint64_t> evidence;
};

// The attacked side's report that its connection was reset, when it can be
// this injection's: timed in [at, until) (until: the next injection into the
// same side or the next connection, whose reset a report may be), and no
// genuine RST from the peer reached it in between. An untimed report cannot
// be placed, so it is not taken.
std::optional<tcp::TimedReport> scoped_reset_report(const Inputs& in, const TcpConnection& c, const Injected& j,
                                                    std::optional<std::int64_t> until_us) {
  const std::string role = tcp::receiver_role(j.forged);
  const auto report = tcp::reset_report(in, role, j.at_us);
  if (!report || !report->t_us || (until_us && *report->t_us >= *until_us)) return std::nullopt;
  for (const auto& p : c.dir(j.forged).segments)
    if (p.tcp().has(f::rst) && p.delivered && p.delivered_us >= j.at_us && p.delivered_us <= *report->t_us)
      return std::nullopt;
  return report;
}

// The attacked side sent nothing after the injection while the peer resent a
// segment it had delivered to it (data or FIN): a live connection ACKs it
// (RFC 9293 3.10.7.4), so the connection is gone there. The unanswered
// segment, its resend, and nothing from the side up to the resend.
std::optional<std::string> silent_while_peer_resends(const TcpConnection& c, const Injected& j,
                                                     std::int64_t tolerance_us, std::optional<std::int64_t> until_us,
                                                     std::vector<std::uint64_t>& evidence) {
  const TcpDirection& victim = c.peer_of(j.forged);
  const TcpDirection& forged = c.dir(j.forged);
  const auto before_until = [&](std::int64_t t) { return !until_us || t < *until_us; };
  std::optional<std::int64_t> victim_next;  // its first segment after the injection
  for (const auto& s : victim.segments)
    if (s.t_us() >= j.at_us) { victim_next = s.t_us(); break; }
  for (std::size_t k = 0; k < forged.segments.size(); ++k) {
    const TcpSegment& asked = forged.segments[k];
    if (asked.end <= asked.seq || !asked.delivered || asked.delivered_us < j.at_us) continue;
    for (std::size_t n = k + 1; n < forged.segments.size(); ++n) {
      const TcpSegment& resend = forged.segments[n];
      if (!resend.previous || resend.seq != asked.seq || resend.t_us() < asked.delivered_us + tolerance_us) continue;
      if (!before_until(resend.t_us()) || (victim_next && *victim_next <= resend.t_us())) return std::nullopt;
      evidence.push_back(asked.i());
      evidence.push_back(resend.i());
      return fmt::format("it sent nothing after the injection, not even an ACK of the {}'s i={} (delivered {:.0f} ms "
                         "after it) when the {} resent it {:.0f} ms later (i={})",
                         tcp::sender_role(j.forged), asked.i(), tcp::ms(asked.delivered_us - j.at_us),
                         tcp::sender_role(j.forged), tcp::ms(resend.t_us() - asked.delivered_us), resend.i());
    }
  }
  return std::nullopt;
}

Fate fate_after(const Inputs& in, const TcpConnection& c, const Injected& j, const TcpSegment* challenge,
                std::int64_t tolerance_us, std::optional<std::int64_t> until_us) {
  Fate out;
  const TcpDirection& victim = c.peer_of(j.forged);
  if (challenge) {
    out.alive = fmt::format("it sent the challenge ACK i={}", challenge->i());
  } else {
    for (const auto& s : victim.segments) {
      if (s.t_us() < j.at_us) continue;
      if (until_us && s.t_us() >= *until_us) break;  // the next injection's (or connection's) from here
      if (s.tcp().has(f::rst)) {
        out.reset = fmt::format("its first answer after the injection was a RST (i={})", s.i());
        out.evidence.push_back(s.i());
        break;
      }
      if (s.ack && *s.ack > j.rcv_nxt)
        out.alive = fmt::format("it acked data delivered after the injection (i={})", s.i());
      else if (s.t_us() > j.at_us + tolerance_us)
        out.alive = fmt::format("it was still sending {:.0f} ms after the injection (i={})", tcp::ms(s.t_us() - j.at_us), s.i());
      if (out.alive) {
        out.evidence.push_back(s.i());
        break;
      }
    }
  }
  if (!out.reset && !out.alive) out.reset = silent_while_peer_resends(c, j, tolerance_us, until_us, out.evidence);
  const std::string role = tcp::sender_role(victim.dir);
  if (const auto report = scoped_reset_report(in, c, j, until_us)) {
    out.app_report = fmt::format("the {}'s application reported the reset ({})", role, report->event.dump());
    if (out.alive) {
      *out.app_report += ", but the wire shows the connection went on: not taken";
    } else {
      if (report->i) out.evidence.push_back(*report->i);
      if (!out.reset)  // the wire shows nothing from it after the injection: the report is all there is
        out.reset = fmt::format("{}, and nothing on the wire shows the connection went on", *out.app_report);
    }
  }
  return out;
}

class BlindResetDefence final : public Check {
 public:
  std::string name() const override { return "blind_reset_defence"; }
  std::string rfc() const override { return "RFC 5961 3.2 / 4.2 / 5.2"; }
  std::string sentence() const override {
    return "If the RST bit is set and the sequence number does not exactly match the next expected sequence value, yet "
           "is within the current receive window, TCP MUST send an acknowledgment (challenge ACK)";
  }
  std::vector<std::string> protocols() const override { return tcp::over_tcp(); }
  bool judges_timing() const override { return true; }
  std::vector<std::string> parameters() const override { return {"tolerance_ms", "throttle_ms"}; }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    const double tolerance_ms = support::number_param(params, "tolerance_ms", 500);
    const double throttle_ms = support::number_param(params, "throttle_ms", 1000);
    CheckResult r;
    r.expected = {{"exact_rst", "the connection is reset (RFC 5961 3.2)"},
                  {"in_window_rst", "a challenge ACK within tolerance_ms, no reset (RFC 5961 3.2)"},
                  {"syn", "a challenge ACK within tolerance_ms, no reset (RFC 5961 4.2)"},
                  {"out_of_window_rst", "no reset (RFC 5961 3.2, RFC 9293 3.10.7.4)"},
                  {"data", "with an ACK outside [SND.UNA - MAX.SND.WND, SND.NXT]: discarded, an ACK sent back within "
                           "tolerance_ms (RFC 5961 5.2)"},
                  {"tolerance_ms", tolerance_ms},
                  {"throttle_ms", throttle_ms}};
    r.measured = json::object();
    json injections = json::array(), not_judged = json::array();
    std::vector<std::string> problems, passes;
    const auto& conns = tcp::connections(in);
    for (std::size_t k = 0; k < conns.size(); ++k) {
      const TcpConnection& c = conns[k];
      // A report after the next connection began may be that one's.
      const std::optional<std::int64_t> next_connection = k + 1 < conns.size() ? first_segment_us(conns[k + 1]) : std::nullopt;
      std::optional<std::int64_t> last_at[2];  // per attacked side: the previous injection's delivery
      for (std::size_t n = 0; n < c.injected.size(); ++n) {
        const events::Datagram& d = *c.injected[n];
        const auto at = dissect::delivered_at(d);
        const std::string victim_dir = tcp::peer_dir(d.dir);
        const std::string victim = tcp::sender_role(victim_dir);
        const auto skip = [&](std::string why) {
          not_judged.push_back({{"i", d.i}, {"why", std::move(why)}});
        };
        if (!at) { skip("never delivered"); continue; }
        const auto placed = place(c, d, *at, tcp::us(tolerance_ms));
        if (!placed) { skip("the forged sender's ISN is unknown"); continue; }
        const Injected& j = *placed;
        if (const auto why = unsynchronized(c, j); !why.empty()) { skip(fmt::format("the {}: {}", victim, why)); continue; }
        std::optional<std::int64_t> next_at;
        for (std::size_t m = n + 1; m < c.injected.size() && !next_at; ++m)
          if (c.injected[m]->dir == d.dir) next_at = dissect::delivered_at(*c.injected[m]);
        if (next_connection && (!next_at || *next_connection < *next_at)) next_at = next_connection;
        const Kind kind = classify(j);
        r.evidence.push_back(d.i);
        json m{{"i", d.i}, {"forged", d.dir}, {"attacked", victim}, {"kind", to_string(kind)}, {"seq", j.seq},
               {"rcv_nxt", j.rcv_nxt}};
        if (j.edge) m["rcv_wnd_end"] = *j.edge;
        if (j.late_edge) m["rcv_wnd_end_maybe"] = *j.late_edge;
        const ChallengeSearch ch = challenge_ack(c, j, tcp::us(tolerance_ms));
        if (ch.ack) m["challenge_ack"] = {{"i", ch.ack->i()}, {"after_ms", tcp::ms(ch.ack->t_us() - j.at_us)}};
        const Fate fate = fate_after(in, c, j, ch.ack, tcp::us(tolerance_ms), next_at);
        for (auto e : fate.evidence) r.evidence.push_back(e);
        if (fate.reset) m["reset"] = *fate.reset;
        if (fate.alive) m["survived"] = *fate.alive;
        if (fate.app_report) m["app_report"] = *fate.app_report;
        const std::string what = fmt::format("{} i={} (seq {}, the {}'s RCV.NXT {}{})", to_string(kind), d.i, j.seq,
                                             victim, j.rcv_nxt, j.edge ? fmt::format(", window end {}", *j.edge) : "");
        const auto fail = [&](std::string why) {
          support::add_failed_dir(r, victim_dir);
          problems.push_back(fmt::format("{}: {}", what, why));
        };
        bool judged = false;
        const auto& prev = last_at[victim_dir == "c2s" ? 0 : 1];
        if (kind == Kind::blind_data) {
          const auto b = blind_data(c, j, next_at);
          if (b) {
            m["ack_rel"] = b->ack;
            m["acceptable_ack"] = {b->snd_una - b->max_snd_wnd, b->snd_nxt};
          }
          if (!b) {
            skip(fmt::format("{}: no ACK flag (or the {}'s ISN unknown): RFC 5961 5.2 does not apply", what, victim));
          } else if (b->acceptable()) {
            skip(fmt::format("{}: its ACK {} lies in [SND.UNA - MAX.SND.WND, SND.NXT] = [{}, {}]: RFC 5961 5.2 does not "
                             "apply", what, b->ack, b->snd_una - b->max_snd_wnd, b->snd_nxt));
          } else if (j.seq < j.rcv_nxt || !j.edge || j.seq >= *j.edge) {
            skip(fmt::format("{}: its data lies outside the receive window (RFC 9293 3.10.7.4), not judged here", what));
          } else {
            const std::string about = fmt::format("{} with ACK {} outside [{}, {}]", what, b->ack,
                                                  b->snd_una - b->max_snd_wnd, b->snd_nxt);
            const auto fail_data = [&](std::string why) {
              support::add_failed_dir(r, victim_dir);
              problems.push_back(fmt::format("{}: {}", about, why));
            };
            if (b->accepted) {
              judged = true;
              r.evidence.push_back(b->accepted->i());
              fail_data(fmt::format("it took the data: its ACK i={} acks {}, past the {} the {}'s own segments had "
                                    "delivered to it; RFC 5961 5.2: it MUST be discarded", b->accepted->i(),
                                    *b->accepted->ack, b->genuine_through, tcp::sender_role(j.forged)));
            }
            std::string ack_part;
            if (b->no_timestamp) {
              skip(fmt::format("{}: ACK not judged: timestamps were negotiated and it carries none (RFC 7323 3.2: the "
                               "side SHOULD drop it silently)", about));
            } else if (ch.ack) {
              judged = true;
              ack_part = fmt::format("ACK i={} sent back after {:.3f} ms", ch.ack->i(), tcp::ms(ch.ack->t_us() - j.at_us));
            } else if (!ch.ambiguous.empty()) {
              skip(fmt::format("{}: ACK not judged: {}", about, fmt::join(ch.ambiguous, "; ")));
            } else if (prev && j.at_us - *prev <= tcp::us(throttle_ms)) {
              skip(fmt::format("{}: no ACK sent back, but an injection {:.0f} ms earlier may have used up its throttle "
                               "(RFC 5961 7)", about, tcp::ms(j.at_us - *prev)));
            } else {
              judged = true;
              fail_data(fmt::format("no ACK (pure, ack {}) sent back within {:.0f} ms; RFC 5961 5.2: it MUST be "
                                    "discarded and an ACK sent back", j.rcv_nxt, tolerance_ms));
            }
            if (!b->accepted && !ack_part.empty())
              passes.push_back(fmt::format("{}: {}; no ACK of its bytes from the {} (whether its application read them "
                                           "shows in tcp_data_intact)", about, ack_part, victim));
          }
        } else if (kind == Kind::exact_rst) {
          if (fate.reset) judged = true, passes.push_back(fmt::format("{}: reset, as RFC 5961 3.2 requires", what));
          else if (fate.alive) judged = true, fail(fmt::format("the connection was not reset ({}); RFC 5961 3.2: an exact "
                                                               "match MUST reset it", *fate.alive));
          else skip(fmt::format("{}: nothing after it showed whether the {} reset", what, victim));
        } else {
          std::string ack_part;  // for the pass detail
          if (kind == Kind::edge_rst) {
            ack_part = "challenge ACK not judged, ";
            skip(fmt::format("{}: challenge ACK not judged: segments it may have sent before the RST arrived "
                             "advertised a window up to {}", what, *j.late_edge));
          } else if (kind != Kind::outside_rst) {
            if (ch.ack) {
              ack_part = fmt::format("challenge ACK i={} after {:.3f} ms, ", ch.ack->i(), tcp::ms(ch.ack->t_us() - j.at_us));
            } else if (!ch.ambiguous.empty()) {
              ack_part = "challenge ACK not judged, ";
              skip(fmt::format("{}: challenge ACK not judged: {}", what, fmt::join(ch.ambiguous, "; ")));
            } else if (prev && j.at_us - *prev <= tcp::us(throttle_ms)) {
              ack_part = "challenge ACK not judged, ";
              skip(fmt::format("{}: no challenge ACK, but an injection {:.0f} ms earlier may have used up its "
                               "throttle (RFC 5961 7)", what, tcp::ms(j.at_us - *prev)));
            } else {
              judged = true;
              fail(fmt::format("no challenge ACK (pure ACK, ack {}) within {:.0f} ms; RFC 5961 {}: TCP MUST send one",
                               j.rcv_nxt, tolerance_ms, kind == Kind::syn ? "4.2" : "3.2"));
            }
          }
          if (fate.reset) {
            judged = true;
            fail(fmt::format("the connection was reset: {}", *fate.reset));
          } else if (fate.alive) {
            judged = true;
            passes.push_back(fmt::format("{}: {}not reset ({})", what, ack_part, *fate.alive));
          } else {
            skip(fmt::format("{}: nothing after it showed whether the {}'s connection survived", what, victim));
          }
        }
        last_at[victim_dir == "c2s" ? 0 : 1] = j.at_us;
        m["judged"] = judged;
        injections.push_back(m);
      }
    }
    r.measured["injections"] = injections;
    if (!not_judged.empty()) r.measured["not_judged"] = not_judged;
    if (!problems.empty()) {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}", fmt::join(problems, "; "));
    } else if (!passes.empty()) {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{}", fmt::join(passes, "; "));
    } else {
      r.verdict = Verdict::not_applicable;
      r.detail = not_judged.empty() ? "no injected RST, SYN or data reached a synchronized connection"
                                    : fmt::format("nothing judged: {}", not_judged.dump());
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_blind_reset_defence() { return std::make_unique<BlindResetDefence>(); }

}  // namespace wireproof::checks
