// graceful_close: connections end by the FIN exchange with every byte
// acknowledged, and reset only when the workload aborts (docs/CHECKS.md).
// Each rule names the side it judges (failed_dirs: the direction that side
// sends in):
//  - RFC 9293 3.6, the RECEIVER of a direction: for each direction that sent
//    a FIN, the peer acked all its sequence space through the FIN (ack >=
//    FIN + 1); data sent after the peer's FIN (a half-close) is acked by the
//    side that closed. Only what the wire delivered to it is asked of it: a
//    FIN or data every copy of which was dropped (or never sent) leaves the
//    receiver not judged (measured.not_judged), and no side is blamed here;
//  - RFC 1122 4.2.2.13, the RST's SENDER: an RST after the handshake fails
//    unless `abort_expected` (the scenario's workload aborts: abort-unread,
//    linger-abort, where the server aborts: a run without its RST fails it);
//  - the side a delivered RST REACHED: with `abort_expected`, it reports it
//    after the first delivered RST of that direction (an `error` event with
//    errno ECONNRESET, or `closed` with reason rst).
// not_applicable: no FIN and no RST on the wire, or nothing judged.
// Parameters: abort_expected (false).
#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/params.hpp"
#include "harness/checks/tcp/tcp_support.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;

class GracefulClose final : public Check {
 public:
  std::string name() const override { return "graceful_close"; }
  std::string rfc() const override { return "RFC 9293 3.6 / RFC 1122 4.2.2.13"; }
  std::string sentence() const override {
    return "CLOSE is an operation meaning \"I have no more data to send\".";
  }
  std::vector<std::string> protocols() const override { return tcp::over_tcp(); }
  std::vector<std::string> parameters() const override { return {"abort_expected"}; }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    // The workload says whether it aborts; the parameter can also say so.
    const auto& workload = in.scenario.tcp.workload;
    const bool abort_expected =
        params.value("abort_expected", workload == "abort-unread" || workload == "linger-abort");
    CheckResult r;
    if (workload == "keepalive") {  // it ends when keep-alive gives up on the peer: RSTs, no close to judge
      r.verdict = Verdict::not_applicable;
      r.detail = "the keepalive workload ends when keep-alive declares the peer dead (RFC 1122 4.2.3.6), not by a close";
      return r;
    }
    r.expected = {{"fin", "each FIN and all data before it acked by the peer"},
                  {"rst", abort_expected ? "an RST (the workload aborts), reported by the side it reached as ECONNRESET"
                                         : "none after the handshake"}};
    r.measured = json::object();
    std::vector<std::string> problems, late_rsts, not_judged;
    int fins = 0, fins_judged = 0, rsts = 0;
    for (const auto& c : tcp::connections(in)) {
      const bool established = c.s2c.syn.has_value() && c.c2s.syn.has_value();
      for (const char* dir : tcp::kDirs) {
        const auto& d = c.dir(dir);
        const auto& peer = c.peer_of(dir);
        std::int64_t acked = -1;
        for (const auto& s : peer.segments)
          if (s.ack) acked = std::max(acked, *s.ack);
        const std::string sender = tcp::sender_role(dir), receiver = tcp::receiver_role(dir);
        // The receiver is judged on what the wire delivered to it: sequence
        // space it never got (every copy dropped, or never sent) it cannot ack.
        const std::int64_t delivered_through =
            tcp::received_through(d, [](const dissect::TcpSegment& s) { return s.delivered; });
        // Whether the receiver's ACKs were judged (a pass or a failure).
        const auto judge_acked = [&](std::int64_t through, const std::string& what) {
          if (acked >= through) return true;
          if (delivered_through >= through) {
            support::add_failed_dir(r, tcp::peer_dir(dir));
            problems.push_back(fmt::format("{}: the {} acked only up to {} though the wire delivered {} to it", dir,
                                           receiver, acked, what));
            return true;
          }
            not_judged.push_back(fmt::format("{}: the {} acked up to {} of {}, but the wire delivered it only through {} "
                                             "(the rest was dropped or never sent): the {} is not judged on it", dir,
                                             receiver, acked, what, delivered_through, receiver));
          return false;
        };
        if (d.fin_seq) {
          ++fins;
          if (judge_acked(*d.fin_seq + 1, fmt::format("the {}'s {} bytes and FIN (seq {})", sender, *d.fin_seq, *d.fin_seq)))
            ++fins_judged;
        } else if (peer.fin_seq && d.snd_max > 0 && d.rsts.empty()) {
          // Half-close: data sent after the peer's FIN must still be acked.
          judge_acked(d.snd_max, fmt::format("the data the {} sent up to {} after the {}'s FIN", sender, d.snd_max, receiver));
        }
        if (!established) continue;
        const dissect::TcpSegment* first_delivered_rst = nullptr;  // an abort's, when one is expected
        for (std::size_t k : d.rsts) {
          const auto& s = d.segments[k];
          ++rsts;
          r.evidence.push_back(s.i());
          // After both FINs, with this side's own FIN and data acked, the
          // close is complete and nothing is lost: an RST then answers a stray
          // segment (a late duplicate) for a connection that no longer exists
          // (RFC 9293 3.10.7.1), which is right, not an abort.
          bool peer_fin_arrived = false;
          for (const auto& p : peer.segments)
            if (p.tcp().has(events::tcp_flags::fin) && p.delivered && p.delivered_us <= s.t_us()) peer_fin_arrived = true;
          std::int64_t acked_before = -1;
          for (const auto& p : peer.segments)
            if (p.ack && p.delivered && p.delivered_us <= s.t_us()) acked_before = std::max(acked_before, *p.ack);
          const bool after_close = d.fin_seq && peer_fin_arrived && acked_before >= *d.fin_seq + 1;
          if (after_close) {
            late_rsts.push_back(fmt::format("{} RST i={} after a complete close (answers a late segment)", dir, s.i()));
          } else if (!abort_expected) {
            support::add_failed_dir(r, dir);
            problems.push_back(fmt::format("{}: the {} sent an RST (i={}) though the workload does not abort", dir,
                                           tcp::sender_role(dir), s.i()));
          } else if (s.delivered && !first_delivered_rst) {
            first_delivered_rst = &s;
          }
        }
        // The side the first delivered RST reached is judged: its application
        // must be told, after that RST (later RSTs answer its later segments).
        if (first_delivered_rst && !tcp::reset_report(in, tcp::receiver_role(dir), first_delivered_rst->delivered_us)) {
          support::add_failed_dir(r, tcp::peer_dir(dir));
          problems.push_back(fmt::format("{}: the {}'s RST (i={}) reached the {} but it reported no ECONNRESET after it",
                                         dir, tcp::sender_role(dir), first_delivered_rst->i(), tcp::receiver_role(dir)));
        }
      }
    }
    if (abort_expected && rsts == 0) {
      // abort-unread and linger-abort: the server aborts (peers/CONTRACT.md "TCP").
      const bool server_aborts = workload == "abort-unread" || workload == "linger-abort";
      if (server_aborts) support::add_failed_dir(r, "s2c");
      problems.push_back(server_aborts ? fmt::format("s2c: the {} workload has the server abort, but it sent no RST", workload)
                                       : std::string("the workload aborts but no RST crossed the wire (which side "
                                                     "should abort it does not say: no side judged)"));
    }
    r.measured["fins"] = fins;
    r.measured["rsts"] = rsts;
    if (!late_rsts.empty()) r.measured["rsts_after_close_not_judged"] = late_rsts;
    if (!not_judged.empty()) r.measured["not_judged"] = not_judged;
    if (!problems.empty()) {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}", fmt::join(problems, "; "));
    } else if (fins == 0 && rsts == 0) {
      r.verdict = Verdict::not_applicable;
      r.detail = "no FIN and no RST on the wire: the connection was not closed";
    } else if (fins_judged == 0 && rsts == 0) {
      r.verdict = Verdict::not_applicable;
      r.detail = fmt::format("nothing judged: {}", fmt::join(not_judged, "; "));
    } else {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{} FIN(s) acked with all data before them; {} RST(s){}{}", fins_judged, rsts,
                             abort_expected ? ", the abort the workload asked for" : "",
                             not_judged.empty() ? "" : fmt::format("; not judged: {}", fmt::join(not_judged, "; ")));
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_graceful_close() { return std::make_unique<GracefulClose>(); }

}  // namespace wireproof::checks
