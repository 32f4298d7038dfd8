// segments_fit_mss: no segment carries more data than the effective send
// MSS (docs/CHECKS.md "segments_fit_mss"), RFC 9293 3.7.1 (MUST-16):
//   Eff.snd.MSS = min(SendMSS + 20, MMS_S) - TCPhdrsize - IPoptionsize
// with SendMSS the peer's SYN MSS option (536 for IPv4 / 1220 for IPv6 when
// absent, MUST-15), MMS_S the path MTU - the fixed IP header, and TCPhdrsize
// this segment's own TCP header (options included, so timestamps shrink it).
// The path MTU: the link MTU when the connection began, lowered by each wire-originated
// ICMP frag-needed / Packet Too Big for this connection from when the sender
// acted on it: its first retransmission after the ICMP reached it, or the
// ICMP's delivery plus grace_ms when it resends nothing (segments already
// queued on its device were sized before it knew). An ICMP MTU below min_pmtu (Linux net.ipv4.route.min_pmtu, 552) is
// taken as min_pmtu: Linux clamps it, and the detail says so.
// not_applicable: no data segment. Parameters: grace_ms (5), min_pmtu (552).
#include <algorithm>

#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/params.hpp"
#include "harness/checks/tcp/tcp_support.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
class SegmentsFitMss final : public Check {
 public:
  std::string name() const override { return "segments_fit_mss"; }
  std::string rfc() const override { return "RFC 9293 3.7.1"; }
  std::string sentence() const override {
    return "The maximum size of a segment that a TCP endpoint really sends, the \"effective send MSS\", MUST be the "
           "smaller (MUST-16) of the send MSS (that reflects the available reassembly buffer size at the remote "
           "host, the EMTU_R) and the largest transmission size permitted by the IP layer (EMTU_S).";
  }
  std::vector<std::string> protocols() const override { return tcp::over_tcp(); }
  std::vector<std::string> parameters() const override { return {"grace_ms", "min_pmtu"}; }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    const auto grace_us = static_cast<std::int64_t>(support::number_param(params, "grace_ms", 5) * 1000);
    const int min_pmtu = static_cast<int>(support::number_param(params, "min_pmtu", 552));
    CheckResult r;
    r.expected = {{"rule", "payload <= min(peer MSS + 20, path MTU - IP header) - this segment's TCP header"},
                  {"default_mss", {{"ipv4", 536}, {"ipv6", 1220}}}, {"grace_ms", grace_us / 1000.0},
                  {"min_pmtu", min_pmtu}};
    r.measured = json::object();
    std::vector<std::string> problems, notes;
    std::size_t judged = 0;
    for (const auto& c : tcp::connections(in)) {
      for (const char* dir : tcp::kDirs) {
        const auto& peer = c.peer_of(dir);
        // The ICMPs about this sender's packets: (when they count, the MTU they set).
        std::vector<std::pair<std::int64_t, int>> pmtu_drops;
        for (const auto& m : tcp::pmtu_messages(c, dir, min_pmtu)) {
          if (!m.note.empty()) notes.push_back(m.note);
          // From when the sender acted on it: its first retransmission after
          // the ICMP reached it (Linux resends what was lost at the new size at
          // once). Segments read from its device before that were queued
          // before it knew, however long the queue was on a busy host. A
          // sender that never resends gets grace_ms.
          std::int64_t from = m.delivered_us + grace_us;
          for (const auto& s : c.dir(dir).segments)
            if (s.t_us() >= m.delivered_us && s.kind == dissect::SegmentKind::retransmission) {
              from = std::max(from, s.t_us());
              break;
            }
          pmtu_drops.emplace_back(from, m.expected);
        }
        // What the sender can know of the path: the link MTU when the
        // connection began (its own interface's), lowered only by the ICMPs
        // that reached it. A link that shrinks later, silently (a black hole)
        // or before its ICMP arrives, is not the sender's fault here
        // (PLPMTUD and the ICMP's own timing are judged elsewhere).
        int initial_mtu = in.scenario.link.mtu;
        for (const auto& s : c.dir(dir).segments)
          if (s.d->mtu > 0) {
            initial_mtu = s.d->mtu;
            break;
          }
        std::optional<std::uint16_t> peer_mss;
        if (peer.syn) peer_mss = peer.segments[*peer.syn].tcp().mss;
        int reported = 0;
        for (const auto& s : c.dir(dir).segments) {
          const auto& t = s.tcp();
          if (t.payload_length == 0 || !s.d->ip) continue;
          ++judged;
          const bool v6 = s.d->ip->version == 6;
          const int send_mss = peer_mss ? *peer_mss : (v6 ? 1220 : 536);
          int pmtu = initial_mtu;
          for (const auto& [from, mtu] : pmtu_drops)
            if (s.t_us() >= from) pmtu = std::min(pmtu, mtu);
          const int ip_header = static_cast<int>(s.d->ip->header_length);
          const int tcp_header = static_cast<int>(s.d->ip_size) - ip_header - static_cast<int>(t.payload_length);
          const int fixed_ip = v6 ? 40 : 20;
          const int limit = std::min(send_mss + 20, pmtu - fixed_ip) - tcp_header - (ip_header - fixed_ip);
          if (static_cast<int>(t.payload_length) <= limit) continue;
          support::add_failed_dir(r, dir);
          r.evidence.push_back(s.i());
          if (reported++ == 0)
            problems.push_back(fmt::format("{} segment i={} carries {} bytes; effective send MSS {} (peer MSS {}{}, path "
                                           "MTU {}, TCP header {})",
                                           dir, s.i(), t.payload_length, limit, send_mss, peer_mss ? "" : " by default",
                                           pmtu, tcp_header));
        }
        if (reported > 1) problems.back() += fmt::format(" and {} more", reported - 1);
      }
    }
    r.measured["data_segments"] = judged;
    if (!notes.empty()) r.measured["notes"] = notes;
    const std::string tail = notes.empty() ? "" : fmt::format("; {}", fmt::join(notes, "; "));
    if (!problems.empty()) {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}", fmt::join(problems, "; ")) + tail;
    } else if (judged == 0) {
      r.verdict = Verdict::not_applicable;
      r.detail = "no data segment";
    } else {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{} data segment(s) within the effective send MSS", judged) + tail;
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_segments_fit_mss() { return std::make_unique<SegmentsFitMss>(); }

}  // namespace wireproof::checks
