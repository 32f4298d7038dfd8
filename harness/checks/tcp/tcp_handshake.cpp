// tcp_handshake: each connection's three-way handshake completes and what it
// negotiated is kept to (docs/CHECKS.md "tcp_handshake"):
//  - complete: a SYN (no ACK) c2s, a SYN-ACK acking it, then a c2s segment
//    acking the SYN-ACK, each delivered (RFC 9293 3.5);
//  - MSS: a SYN's MSS option <= its packet's link MTU - 40 (IPv4) / - 60
//    (IPv6): "the effective MTU minus the fixed IP and TCP headers" (RFC
//    9293 3.7.1); no option is allowed (the peer assumes 536 / 1220);
//  - options: a SYN-ACK carries WS / SACK-permitted / timestamps only if the
//    SYN offered them (RFC 7323 1.3, 2.2; RFC 2018 2); after the handshake
//    no SACK blocks unless both SYNs had SACK-permitted (RFC 2018 3) and no
//    timestamps unless both had them (RFC 7323 3.2);
//  - window: no data byte beyond the highest right edge (ack + scaled
//    window) the peer had offered by the time it was sent (RFC 9293 3.8.6),
//    except one byte past a closed window (a zero-window probe, 3.8.6.1).
// The expectation: expect.handshake (completes or not) decides whether an
// incomplete handshake fails or is not_applicable.
// Parameters: none.
#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/tcp/tcp_support.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
using dissect::TcpConnection;
using dissect::TcpSegment;
namespace f = events::tcp_flags;

struct Handshake {
  const TcpSegment *syn = nullptr, *syn_ack = nullptr, *ack = nullptr;  // the first delivered of each
  bool complete() const { return syn && syn_ack && ack; }
};

Handshake find_handshake(const TcpConnection& c) {
  Handshake h;
  for (const auto& s : c.c2s.segments)
    if (s.tcp().has(f::syn) && !s.tcp().has(f::ack) && s.delivered) { h.syn = &s; break; }
  if (!h.syn) return h;
  for (const auto& s : c.s2c.segments)
    if (s.tcp().has(f::syn) && s.tcp().has(f::ack) && s.ack == 0 && s.delivered) { h.syn_ack = &s; break; }
  if (!h.syn_ack) return h;
  for (const auto& s : c.c2s.segments)
    if (!s.tcp().has(f::syn) && !s.tcp().has(f::rst) && s.ack && *s.ack >= 0 && s.delivered &&
        s.t_us() >= h.syn_ack->t_us()) { h.ack = &s; break; }
  return h;
}

json options_json(const events::TcpLayer& t) {
  return {{"mss", t.mss ? json(*t.mss) : json(nullptr)},
          {"window_scale", t.window_scale ? json(*t.window_scale) : json(nullptr)},
          {"sack_permitted", t.sack_permitted}, {"timestamps", t.ts_val.has_value()}};
}

class TcpHandshake final : public Check {
 public:
  std::string name() const override { return "tcp_handshake"; }
  std::string rfc() const override { return "RFC 9293 3.5 / 3.7.1 / 3.8.6; RFC 7323 2.2; RFC 2018 2"; }
  std::string sentence() const override {
    return "This option is an offer, not a promise; both sides MUST send Window Scale options in their <SYN> "
           "segments to enable window scaling in either direction.";
  }
  std::vector<std::string> protocols() const override { return tcp::over_tcp(); }
  bool judges_per_direction() const override { return false; }

  CheckResult run(const Inputs& in) const override {
    CheckResult r;
    // Under TLS, expect.handshake speaks of the TLS handshake (an unknown SNI
    // host fails it); the TCP connection beneath is expected to complete.
    const bool expect_complete = in.scenario.expect.handshake_completes || scenario::is_tls(in.scenario.protocol);
    r.expected = {{"handshake", expect_complete ? "completes" : "does not complete"},
                  {"mss", "SYN MSS option <= link MTU - 40 (IPv4) / - 60 (IPv6)"},
                  {"options", "SYN-ACK options only if the SYN offered them; SACK blocks and timestamps after the "
                              "handshake only if both SYNs had them"},
                  {"window", "no data beyond the highest ack + window the peer had offered (one byte past a zero "
                             "window allowed: a probe)"}};
    const auto conns = tcp::connections(in);
    if (conns.empty()) {
      r.verdict = Verdict::not_applicable;
      r.detail = "no TCP segment in the log";
      return r;
    }
    std::vector<std::string> problems;
    json measured = json::array();
    int completed = 0;
    const auto problem = [&](const TcpSegment& s, std::string what) {
      r.evidence.push_back(s.i());
      support::add_failed_dir(r, s.d->dir);
      problems.push_back(fmt::format("{} (i={})", what, s.i()));
    };
    r.measured = json::object();
    for (const auto& c : conns) {
      const Handshake h = find_handshake(c);
      json m{{"client_port", c.client_port}, {"server_port", c.server_port}, {"complete", h.complete()}};
      if (!h.complete()) {
        m["missing"] = !h.syn ? "a delivered SYN" : !h.syn_ack ? "a delivered SYN-ACK acking it" : "the ACK of the SYN-ACK";
        measured.push_back(m);
        continue;
      }
      ++completed;
      r.evidence.insert(r.evidence.end(), {h.syn->i(), h.syn_ack->i(), h.ack->i()});
      const auto& syn = h.syn->tcp();
      const auto& sa = h.syn_ack->tcp();
      m["syn"] = options_json(syn);
      m["syn_ack"] = options_json(sa);
      for (const TcpSegment* s : {h.syn, h.syn_ack}) {
        const auto& t = s->tcp();
        const int headers = s->d->ip && s->d->ip->version == 6 ? 60 : 40;
        const int mtu = s->d->mtu > 0 ? s->d->mtu : in.scenario.link.mtu;
        if (t.mss && *t.mss > mtu - headers)
          problem(*s, fmt::format("{} MSS option {} > link MTU {} - {} = {}", s->d->dir == "c2s" ? "SYN" : "SYN-ACK",
                                  *t.mss, mtu, headers, mtu - headers));
      }
      if (sa.window_scale && !syn.window_scale) problem(*h.syn_ack, "SYN-ACK has a window scale option the SYN did not offer");
      if (sa.sack_permitted && !syn.sack_permitted) problem(*h.syn_ack, "SYN-ACK has SACK-permitted the SYN did not offer");
      if (sa.ts_val && !syn.ts_val) problem(*h.syn_ack, "SYN-ACK has timestamps the SYN did not offer");
      const bool sack = syn.sack_permitted && sa.sack_permitted, ts = syn.ts_val && sa.ts_val;
      for (const char* dir : tcp::kDirs) {
        const tcp::OfferedWindow offered(c, dir);
        int overruns = 0;
        std::size_t overrun_problem = 0;
        bool sack_reported = false, ts_reported = false;
        for (const auto& s : c.dir(dir).segments) {
          if (s.tcp().has(f::syn)) continue;
          if (!s.tcp().sack.empty() && !sack && !sack_reported) {
            sack_reported = true;
            problem(s, fmt::format("{} sent SACK blocks though SACK was not negotiated", dir));
          }
          if (s.tcp().ts_val && !ts && !ts_reported) {
            ts_reported = true;
            problem(s, fmt::format("{} sent a timestamp option though timestamps were not negotiated", dir));
          }
          if (s.tcp().payload_length == 0 || s.tcp().has(f::rst)) continue;
          const auto edge = offered.right_edge_at(s.t_us());
          if (!edge || s.data_end() <= *edge) continue;
          // One byte past a closed window is a zero-window probe (RFC 9293 3.8.6.1).
          if (s.tcp().payload_length == 1 && s.data_start >= *edge) continue;
          if (overruns++ == 0) {
            overrun_problem = problems.size();
            problem(s, fmt::format("{} sent data up to relative seq {} beyond the offered right edge {} ({} bytes over)",
                                   dir, s.data_end(), *edge, s.data_end() - *edge));
          }
        }
        if (overruns > 1) problems[overrun_problem] += fmt::format(" and {} more such segments", overruns - 1);
      }
      measured.push_back(m);
    }
    r.measured["connections"] = measured;
    r.measured["completed"] = completed;

    if (completed == 0 && !expect_complete) {
      r.verdict = Verdict::not_applicable;
      r.detail = "no handshake completed, as the scenario expects";
      return r;
    }
    if (completed == 0) problems.insert(problems.begin(), fmt::format("no handshake completed ({} connection attempt(s): missing {})",
                                                                       conns.size(), measured.front()["missing"].get<std::string>()));
    else if (!expect_complete) problems.insert(problems.begin(), "the handshake completed but the scenario expects it not to");
    if (!problems.empty()) {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}", fmt::join(problems, "; "));
    } else {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{} handshake(s) completed; MSS, options and windows kept to", completed);
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_tcp_handshake() { return std::make_unique<TcpHandshake>(); }

}  // namespace wireproof::checks
