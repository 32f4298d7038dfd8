// graceful_close: connections end by the FIN exchange with every byte
// acknowledged, and reset only when the workload aborts (docs/CHECKS.md):
//  - RFC 9293 3.6: for each direction that sent a FIN, the peer acked all its
//    sequence space through the FIN (ack >= FIN + 1); data the peer sends
//    after that FIN (a half-close) is acked by the side that closed;
//  - RFC 1122 4.2.2.13: a peer's RST after the handshake fails unless
//    `abort_expected` (the scenario's workload aborts: abort-unread,
//    linger-abort); with it, a run without one fails; the side a delivered
//    RST reached must report it (an `error` event with errno ECONNRESET, or
//    `closed` with reason rst).
// not_applicable: no FIN and no RST on the wire.
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
  std::vector<std::string> protocols() const override { return tcp::tcp_only(); }
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
    std::vector<std::string> problems, late_rsts;
    int fins = 0, rsts = 0;
    for (const auto& c : tcp::connections(in)) {
      const bool established = c.s2c.syn.has_value() && c.c2s.syn.has_value();
      for (const char* dir : tcp::kDirs) {
        const auto& d = c.dir(dir);
        const auto& peer = c.peer_of(dir);
        std::int64_t acked = -1;
        for (const auto& s : peer.segments)
          if (s.ack) acked = std::max(acked, *s.ack);
        if (d.fin_seq) {
          ++fins;
          if (acked < *d.fin_seq + 1) {
            support::add_failed_dir(r, tcp::peer_dir(dir));
            problems.push_back(fmt::format("{} sent {} bytes and its FIN (seq {}) but the peer acked only up to {}", dir,
                                           *d.fin_seq, *d.fin_seq, acked));
          }
        } else if (peer.fin_seq && d.snd_max > 0 && acked < d.snd_max && d.rsts.empty()) {
          // Half-close: data sent after the peer's FIN must still be acked.
          support::add_failed_dir(r, tcp::peer_dir(dir));
          problems.push_back(fmt::format("{} sent data up to {} after the peer's FIN, acked only up to {}", dir,
                                         d.snd_max, acked));
        }
        if (!established) continue;
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
            problems.push_back(fmt::format("{} sent an RST (i={}) though the workload does not abort", dir, s.i()));
          } else if (s.delivered && !tcp::reset_report(in, tcp::receiver_role(dir))) {
            support::add_failed_dir(r, dir);
            problems.push_back(fmt::format("{}'s RST (i={}) reached the {} but it reported no ECONNRESET", dir, s.i(),
                                           tcp::receiver_role(dir)));
          }
        }
      }
    }
    if (abort_expected && rsts == 0) problems.push_back("the workload aborts but no RST crossed the wire");
    r.measured["fins"] = fins;
    r.measured["rsts"] = rsts;
    if (!late_rsts.empty()) r.measured["rsts_after_close_not_judged"] = late_rsts;
    if (!problems.empty()) {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("{}", fmt::join(problems, "; "));
    } else if (fins == 0 && rsts == 0) {
      r.verdict = Verdict::not_applicable;
      r.detail = "no FIN and no RST on the wire: the connection was not closed";
    } else {
      r.verdict = Verdict::pass;
      r.detail = fmt::format("{} FIN(s) acked with all data before them; {} RST(s){}", fins, rsts,
                             abort_expected ? ", the abort the workload asked for" : "");
    }
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_graceful_close() { return std::make_unique<GracefulClose>(); }

}  // namespace wireproof::checks
