// pmtud_response: a sender told by the wire that its packets are too big
// acts on it (docs/CHECKS.md "pmtud_response"), RFC 1191 3 / RFC 8201 4 /
// RFC 4821. Judged per sending direction that had packets dropped as too
// big or got a frag-needed / Packet Too Big:
//  - with ICMP: E = the ICMP's MTU (an IPv4 MTU below min_pmtu is taken as
//    min_pmtu for a kernel sender: Linux clamps it to net.ipv4.route.min_pmtu
//    and locks it). The sender acted on it at its first retransmission after
//    the ICMP reached it (Linux resends the lost data at once; one above E
//    within the window below was queued before it knew); that
//    retransmission and every data packet after it must be <= E (the device
//    queue is FIFO: anything later was built after it knew). Packets before
//    it that still exceed E fail only when they leave more than one RTT +
//    tolerance after the ICMP (earlier ones were sized before it knew). The
//    RTT: the largest wire sample among the sender's last 8 singly sent
//    segments (SYN included) acked before the ICMP, from the segment's
//    arrival at the wire to the ACK's delivery to the sender;
//  - the bytes of every packet dropped as too big are delivered later
//    (necessarily at a size the link carried) before the log ends;
//  - a black hole (link.icmp false): judged only when the sender probes
//    (kernel TCP with net.ipv4.tcp_mtu_probing >= 1, RFC 4821): the dropped
//    bytes must be delivered within max_recovery_ms of the first drop;
//    probing off, or a user-space stack (lwIP 2.1.3 has no PLPMTUD): not judged;
//  - packets without DF (lwIP over IPv4) are fragmented by the wire as a
//    router would: nothing to discover, not judged.
// not_applicable: no direction to judge (each reason in measured.not_judged).
// Parameters: tolerance_ms / tolerance_pct (expect.retransmit: 15 ms, 10 %),
// min_pmtu (the sender's net.ipv4.route.min_pmtu in force, else 552),
// max_recovery_ms (10000).
#include <algorithm>

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
using dissect::TcpDirection;
using dissect::TcpSegment;

bool has_action(const TcpSegment& s, const char* action) {
  for (const auto& a : s.d->actions)
    if (a.action == action) return true;
  return false;
}
bool carries_data(const TcpSegment& s) { return s.tcp().payload_length > 0; }

// The connection's RTT as the sender saw it just before `before_us` (see the header).
std::optional<std::int64_t> rtt_before(const TcpConnection& c, const std::string& dir, std::int64_t before_us) {
  const TcpDirection& d = c.dir(dir);
  const auto& acks = c.peer_of(dir).segments;
  std::optional<std::int64_t> rtt;
  int samples = 0;
  for (std::size_t k = d.segments.size(); k-- > 0 && samples < 8;) {
    const TcpSegment& s = d.segments[k];
    if (s.t_us() >= before_us || s.end <= s.seq || !s.delivered || s.kind == SegmentKind::retransmission) continue;
    bool resent = false;  // Karn: a range sent again gives no sample
    for (std::size_t j = k + 1; j < d.segments.size() && !resent; ++j) resent = d.segments[j].seq < s.end && d.segments[j].end > s.seq;
    if (resent) continue;
    for (const auto& a : acks)
      if (a.ack && *a.ack >= s.end && a.delivered && a.delivered_us > s.t_us()) {
        if (a.delivered_us < before_us) {
          rtt = std::max(rtt.value_or(0), a.delivered_us - s.t_us());
          ++samples;
        }
        break;
      }
  }
  return rtt;
}

// [from, to) byte ranges of `dir`'s dropped-too-big packets that no other
// packet of the sender delivered, with the dropped packet's index. An earlier
// copy counts: a resend of bytes already delivered (a probe of the tail sent
// at the old size) loses nothing.
struct Undelivered { std::int64_t from, to; std::uint64_t i; };
std::vector<Undelivered> undelivered(const TcpDirection& d, const std::vector<const TcpSegment*>& too_big) {
  std::vector<Undelivered> out;
  for (const auto* lost : too_big) {
    std::vector<std::pair<std::int64_t, std::int64_t>> got;
    for (const auto& s : d.segments)
      if (s.delivered && carries_data(s) && s.data_end() > lost->data_start &&
          s.data_start < lost->data_end())
        got.emplace_back(s.data_start, s.data_end());
    std::sort(got.begin(), got.end());
    std::int64_t at = lost->data_start;
    for (const auto& [a, b] : got) {
      if (a > at) break;
      at = std::max(at, b);
    }
    if (at < lost->data_end()) out.push_back({at, lost->data_end(), lost->i()});
  }
  return out;
}

// When the last dropped-too-big byte was first delivered, by any other packet
// (nullopt: some never were).
std::optional<std::int64_t> recovered_at(const TcpDirection& d, const std::vector<const TcpSegment*>& too_big) {
  std::int64_t last = 0;
  for (const auto* lost : too_big)
    for (std::int64_t at = lost->data_start; at < lost->data_end();) {
      const TcpSegment* first = nullptr;  // the earliest delivery covering byte `at`
      for (const auto& s : d.segments)
        if (s.delivered && carries_data(s) && s.data_start <= at && s.data_end() > at &&
            (!first || s.delivered_us < first->delivered_us))
          first = &s;
      if (!first) return std::nullopt;
      last = std::max(last, first->delivered_us);
      at = first->data_end();
    }
  return last;
}

class PmtudResponse final : public Check {
 public:
  std::string name() const override { return "pmtud_response"; }
  std::string rfc() const override { return "RFC 1191 3 / RFC 8201 4 / RFC 4821"; }
  std::string sentence() const override {
    return "When a host receives a Datagram Too Big message, it MUST reduce its estimate of the PMTU for the "
           "relevant path, based on the value of the Next-Hop MTU field in the message.";
  }
  std::vector<std::string> protocols() const override { return tcp::over_tcp(); }
  bool judges_timing() const override { return true; }
  std::vector<std::string> parameters() const override {
    return {"tolerance_ms", "tolerance_pct", "min_pmtu", "max_recovery_ms"};
  }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    const tcp::Tolerance tol = tcp::tolerance_from(in, params);
    const double max_recovery_ms = support::number_param(params, "max_recovery_ms", 10000);
    CheckResult r;
    r.expected = {{"rule", "after an ICMP reached the sender: packets <= its MTU from the sender's first resend, "
                           "and from one RTT + tolerance after it; every too-big packet's bytes delivered later"},
                  {"tolerance_ms", tol.ms}, {"tolerance_pct", tol.pct},
                  {"black_hole", fmt::format("with tcp_mtu_probing >= 1: the lost bytes delivered within {:.0f} ms",
                                             max_recovery_ms)}};
    r.measured = json::object();
    json judged = json::array(), not_judged = json::array();
    std::vector<std::string> problems;
    const auto fail = [&](const std::string& dir, std::uint64_t i, std::string why) {
      support::add_failed_dir(r, dir);
      r.evidence.push_back(i);
      problems.push_back(fmt::format("{} ({}): {}", dir, tcp::sender_role(dir), why));
    };
    for (const auto& c : tcp::connections(in)) {
      for (const char* dir : tcp::kDirs) {
        const std::string role = tcp::sender_role(dir);
        const TcpDirection& d = c.dir(dir);
        const tcp::SideSetup setup = tcp::side_setup(in, role);
        std::vector<const TcpSegment*> too_big;
        std::size_t fragmented = 0;
        for (const auto& s : d.segments) {
          if (has_action(s, "mtu")) too_big.push_back(&s);
          if (has_action(s, "fragment")) ++fragmented;
        }
        const int min_pmtu = min_pmtu_for(in, params, role, setup);
        const auto messages = tcp::pmtu_messages(c, dir, min_pmtu);
        if (messages.empty() && too_big.empty()) {
          if (fragmented > 0)
            not_judged.push_back(fmt::format("{}: {} packet(s) without DF, fragmented by the wire as a router would "
                                             "(RFC 791): no ICMP, nothing to discover",
                                             dir, fragmented));
          continue;
        }
        json m{{"dir", dir}, {"too_big_dropped", too_big.size()}};
        if (!messages.empty()) {
          judge_icmp(c, dir, messages, tol, m, fail);
        } else if (in.scenario.link.icmp) {
          not_judged.push_back(fmt::format("{}: {} packet(s) dropped as too big but no ICMP reached the sender", dir,
                                           too_big.size()));
          continue;
        } else if (auto why = no_probing(in, role, setup)) {
          not_judged.push_back(fmt::format("{}: black hole, {}: RFC 4821 applies to a sender that probes", dir, *why));
          continue;
        } else {
          m["black_hole"] = true;
          const auto t_first = too_big.front()->t_us();
          const auto done = recovered_at(d, too_big);
          if (!done) {
            const auto gaps = undelivered(d, too_big);
            fail(dir, gaps.front().i,
                 fmt::format("black hole with probing on: bytes {}..{} dropped as too big (i={}) never got through "
                             "({} range(s) lost)",
                             gaps.front().from, gaps.front().to, gaps.front().i, gaps.size()));
          } else {
            const double recovered_ms = std::max(0.0, tcp::ms(*done - t_first));
            m["recovered_ms"] = recovered_ms;
            if (recovered_ms > max_recovery_ms)
              fail(dir, too_big.front()->i(),
                   fmt::format("black hole with probing on: the bytes dropped as too big from i={} got through only "
                               "{:.0f} ms later, expected within {:.0f} ms",
                               too_big.front()->i(), recovered_ms, max_recovery_ms));
          }
        }
        if (!messages.empty()) {
          for (const auto& u : undelivered(d, too_big)) {
            fail(dir, u.i, fmt::format("bytes {}..{} of i={}, dropped as too big, were never delivered at the new size",
                                       u.from, u.to, u.i));
            break;
          }
        }
        judged.push_back(m);
      }
    }
    r.measured["judged"] = judged;
    if (!not_judged.empty()) r.measured["not_judged"] = not_judged;
    const std::string tail = not_judged.empty() ? "" : fmt::format("; not judged: {}", fmt::join(not_judged, "; "));
    if (!problems.empty()) {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}", fmt::join(problems, "; ")) + tail;
    } else if (judged.empty()) {
      r.verdict = Verdict::not_applicable;
      r.detail = not_judged.empty() ? "no packet exceeded the path MTU" : fmt::format("{}", fmt::join(not_judged, "; "));
    } else {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{} direction(s) followed the path MTU and resent what was too big", judged.size()) + tail;
    }
    return r;
  }

 private:
  // The clamp is Linux's: a user-space sender gets the ICMP's MTU as it is.
  static int min_pmtu_for(const Inputs& in, const json& params, const std::string& role, const tcp::SideSetup& setup) {
    if (params.contains("min_pmtu")) return static_cast<int>(support::number_param(params, "min_pmtu", 552));
    if (setup.known && !setup.kernel_tcp) return 0;
    const auto set = tcp::sysctl_in_force(in, role, "net.ipv4.route.min_pmtu");
    return set ? std::stoi(*set) : 552;
  }

  // Why the sender of a black hole is not judged (nullopt: it probes).
  static std::optional<std::string> no_probing(const Inputs& in, const std::string& role, const tcp::SideSetup& setup) {
    if (setup.known && !setup.kernel_tcp)
      return std::string("the sender is a user-space stack (packet socket): the namespace's tcp_mtu_probing does not "
                         "govern it, and lwIP 2.1.3 has no PLPMTUD");
    const auto probing = tcp::sysctl_in_force(in, role, "net.ipv4.tcp_mtu_probing");
    if (!probing) return std::string("probing off (tcp_mtu_probing not set: Linux's default 0)");
    if (std::stoi(*probing) < 1) return fmt::format("probing off (tcp_mtu_probing {})", *probing);
    return std::nullopt;
  }

  template <typename Fail>
  static void judge_icmp(const TcpConnection& c, const std::string& dir, const std::vector<tcp::PmtuMessage>& messages,
                         const tcp::Tolerance& tol, json& m, const Fail& fail) {
    const TcpDirection& d = c.dir(dir);
    // The lowest MTU told, from the first ICMP that told it (the wire answers every dropped packet).
    const tcp::PmtuMessage* told = &messages.front();
    for (const auto& msg : messages)
      if (msg.expected < told->expected) told = &msg;
    const std::int64_t t0 = told->delivered_us;
    const int mtu = told->expected;
    m["icmp_i"] = told->d->i;
    m["icmp_mtu"] = told->mtu;
    m["expected_mtu"] = mtu;
    if (!told->note.empty()) m["clamp"] = told->note;
    const auto rtt = rtt_before(c, dir, t0);
    const double window_ms = rtt ? tcp::ms(*rtt) + tol.for_expected(tcp::ms(*rtt)) : 0;
    if (rtt) m["rtt_ms"] = tcp::ms(*rtt);
    // Its first resend after the ICMP; one above E within the window was
    // queued before it knew (a fast retransmit, a probe) and is not it.
    std::optional<std::size_t> acted;
    for (std::size_t k = 0; k < d.segments.size() && !acted; ++k) {
      const TcpSegment& s = d.segments[k];
      if (s.t_us() < t0 || s.kind != SegmentKind::retransmission) continue;
      if (static_cast<int>(s.d->ip_size) <= mtu || !rtt || tcp::ms(s.t_us() - t0) > window_ms) acted = k;
    }
    if (acted) {
      m["acted_i"] = d.segments[*acted].i();
      m["acted_after_ms"] = tcp::ms(d.segments[*acted].t_us() - t0);
    }
    std::size_t sized_before = 0;
    for (std::size_t k = 0; k < d.segments.size(); ++k) {
      const TcpSegment& s = d.segments[k];
      if (s.t_us() < t0 || !carries_data(s) || static_cast<int>(s.d->ip_size) <= mtu) continue;
      const double after_ms = tcp::ms(s.t_us() - t0);
      if (acted && k == *acted) {
        fail(dir, s.i(),
             fmt::format("its first resend after the ICMP i={} (MTU {}) reached it, i={}, is {} bytes", told->d->i, mtu,
                         s.i(), s.d->ip_size));
        return;
      }
      if (acted && k > *acted) {
        fail(dir, s.i(),
             fmt::format("i={} is {} bytes after the ICMP i={} (MTU {}) reached it and after it acted on it (i={})",
                         s.i(), s.d->ip_size, told->d->i, mtu, d.segments[*acted].i()));
        return;
      }
      if (rtt && after_ms > window_ms) {
        fail(dir, s.i(),
             fmt::format("i={} is {} bytes {:.1f} ms after the ICMP i={} (MTU {}) reached it; expected <= {} within one "
                         "RTT ({:.3f} ms) + {:.1f} ms",
                         s.i(), s.d->ip_size, after_ms, told->d->i, mtu, mtu, tcp::ms(*rtt), tol.for_expected(tcp::ms(*rtt))));
        return;
      }
      ++sized_before;  // it left before the sender could know
    }
    m["sized_before_it_knew"] = sized_before;
  }
};

}  // namespace

std::unique_ptr<Check> make_pmtud_response() { return std::make_unique<PmtudResponse>(); }

}  // namespace wireproof::checks
