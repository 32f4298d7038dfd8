// close_notify (RFC 8446 6.1, RFC 5246 7.2.1): a side that closes its write
// side (FIN) or aborts (RST) after its handshake reached Finished has sent a
// close_notify, or an error alert, before it. Judged per direction, the
// SENDER of the FIN / RST (failed_dirs: the direction it sends in), from the
// records of its stream (support::tls_view):
//  - an alert before the close: close_notify, or a fatal alert (the RFC's
//    "unless it has already sent some error alert"), decrypted or in clear;
//    in 1.2 without a key log an alert record after ChangeCipherSpec has the
//    outer type 21, so it is counted (its description not seen: said so);
//  - none, with every record of the direction seen: fail, "possible
//    truncation": the receiver cannot know it got all the data. The
//    receiving application's own words (its `error` and `closed` events) are
//    shown beside it, never used to judge;
//  - none, with protected records the view could not open (1.3 without a key
//    log: alerts are encrypted): not judged, and why.
// A side that closes before its Finished (a failed handshake, whose fatal
// alert RFC 8446 6.2 asks for as a SHOULD; `alerts` judges it) is not judged
// here; one that closes after its peer's error alert reached it conforms
// (RFC 8446 6.2: both parties close at once, no close_notify owed); one whose
// connection a reset reached first is not judged (no alert can follow). An RST is an abort the scenario may ask for: with `abort_expected`
// it is reported (truncation expected), not failed.
// not_applicable: no TLS connection was closed on the wire, or nothing judged.
// Parameters: abort_expected (false).
#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/failed_dirs.hpp"
#include "harness/checks/support/params.hpp"
#include "harness/checks/support/tls_view.hpp"
#include "harness/checks/tcp/tcp_support.hpp"
#include "harness/checks/tls/tls_support.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;

struct Close {
  std::uint64_t first = 0;  // its packet i
  std::string second;       // "FIN" | "RST"
  std::int64_t t_us = 0;    // when it reached the wire
};
// The first FIN or RST the sender of `d` put on the wire.
std::optional<Close> first_close(const dissect::TcpDirection& d) {
  for (const auto& s : d.segments) {
    if (s.tcp().has(events::tcp_flags::rst)) return Close{s.i(), "RST", s.t_us()};
    if (s.tcp().has(events::tcp_flags::fin)) return Close{s.i(), "FIN", s.t_us()};
  }
  return std::nullopt;
}

// The first error alert of `from` (the peer's direction) delivered before `before_us`:
// in 1.3 every alert but close_notify and user_canceled (RFC 8446 6), in 1.2 a fatal one.
const dissect::TranscriptAlert* peer_error_alert(const dissect::TlsTranscript& t, const dissect::TranscriptDirection& from,
                                                 std::int64_t before_us) {
  for (const auto& a : from.alerts) {
    if (a.fragment || a.description == 0 || a.description == 90) continue;
    if (t.version != dissect::kTls13 && a.level != 2) continue;
    if (from.records[a.record].last.delivered_us < before_us) return &a;
  }
  return nullptr;
}

// What `role`'s application said of the end: its first `error` message and its `closed` reason.
json application_report(const Inputs& in, const std::string& role) {
  json out = json::object();
  if (const auto e = tcp::peer_events(in, role, "error"); !e.empty()) out["error"] = e.front().event.value("message", "");
  if (const auto c = tcp::peer_events(in, role, "closed"); !c.empty()) out["closed"] = c.front().event.value("reason", "");
  return out;
}

class CloseNotify final : public Check {
 public:
  std::string name() const override { return "close_notify"; }
  std::string rfc() const override { return "RFC 8446 6.1 / RFC 5246 7.2.1"; }
  std::string sentence() const override {
    return "Each party MUST send a \"close_notify\" alert before closing its write side of the connection, unless "
           "it has already sent some error alert.";
  }
  std::vector<std::string> protocols() const override { return tls::tls_both(); }
  std::vector<std::string> parameters() const override { return {"abort_expected"}; }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    const bool abort_expected = params.value("abort_expected", false);
    CheckResult r;
    r.expected = {{"before_fin", "close_notify or an error alert"},
                  {"before_rst", abort_expected ? "nothing (the scenario aborts: truncation expected)"
                                                : "close_notify or an error alert"}};
    r.measured = json::object();
    const auto& view = support::tls_view(in);
    std::vector<std::string> problems, not_judged, judged_lines;
    int closes = 0, judged = 0;
    for (std::size_t k = 0; k < view.connections.size(); ++k) {
      const auto& t = view.connections[k].tls;
      const auto& conn = *view.connections[k].tcp;
      if (t.client_hellos.empty()) continue;  // not a TLS connection (no ClientHello on the wire)
      const std::string label = view.connections.size() > 1 ? fmt::format(" (connection {})", k + 1) : "";
      const auto reset = tcp::reset_at(conn);
      for (const char* dir : tcp::kDirs) {
        const auto close = first_close(conn.dir(dir));
        if (!close) continue;
        ++closes;
        const auto& td = t.dir(dir);
        const std::string sender = tcp::sender_role(dir), receiver = tcp::receiver_role(dir);
        const std::string where = fmt::format("{}{}: the {}'s {} (i={})", dir, label, sender, close->second, close->first);
        if (td.records.empty()) {
          not_judged.push_back(fmt::format("{}: it sent no TLS record", where));
          continue;
        }
        if (!tls::finished_record(t, dir)) {
          const auto unseen = tls::unseen_of(t, dir);
          not_judged.push_back(
              tls::has_unopened(td)
                  ? fmt::format("{}: its Finished was not seen ({})", where, fmt::join(unseen, "; "))
                  : fmt::format("{}: it closed before sending Finished (a failed handshake, judged by alerts)", where));
          continue;
        }
        // A connection already reset (an RST reached this side first) is CLOSED
        // (RFC 9293 3.10.7.4): what the side's kernel sends after is no close of its
        // application's, and no alert can be sent on it.
        if (reset && reset->rst->d->dir != dir && reset->at_us <= close->t_us) {
          not_judged.push_back(fmt::format("{}: the connection was reset before it (the RST i={} reached the {}): "
                                           "no alert can follow a reset",
                                           where, reset->rst->i(), sender));
          continue;
        }
        // The peer's error alert reached it first: RFC 8446 6.2 "Upon transmission
        // or receipt of a fatal alert message, both parties MUST immediately close
        // the connection", and owe no close_notify (RFC 5246 7.2.2 likewise).
        if (const auto* got = peer_error_alert(t, t.dir(dir == std::string("c2s") ? "s2c" : "c2s"), close->t_us)) {
          ++judged;
          r.evidence.push_back(close->first);
          judged_lines.push_back(fmt::format("{}: closed after the {}'s {} {}{} (RFC 8446 6.2: no close_notify owed)",
                                             where, receiver, tls::alert_level(got->level),
                                             tls::alert_name(got->description), got->encrypted ? " (decrypted)" : ""));
          continue;
        }
        // The closure or error alert before the close, if any.
        std::optional<std::string> alert;
        for (const auto& a : td.alerts) {
          if (a.fragment || !(a.description == 0 || a.level == 2)) continue;
          alert = fmt::format("{} {}{}", tls::alert_level(a.level), tls::alert_name(a.description),
                              a.encrypted ? " (decrypted)" : "");
          for (auto i : support::record_packets(td.records[a.record])) r.evidence.push_back(i);
          break;
        }
        if (!alert && t.version != dissect::kTls13) {
          for (const auto& rec : td.records)
            if (rec.type == dissect::kAlert && rec.is_protected && !rec.decrypted) {
              alert = "an encrypted alert record (outer type 21; its description not seen without a key log)";
              for (auto i : support::record_packets(rec)) r.evidence.push_back(i);
              break;
            }
        }
        if (alert) {
          ++judged;
          r.evidence.push_back(close->first);
          judged_lines.push_back(fmt::format("{}: {} before it", where, *alert));
          continue;
        }
        if (tls::has_unopened(td)) {
          not_judged.push_back(fmt::format("{}: no alert seen, but {}", where, fmt::join(tls::unseen_of(t, dir), "; ")));
          continue;
        }
        ++judged;
        r.evidence.push_back(close->first);
        const json report = application_report(in, receiver);
        r.measured["receiver_reports"][std::string(dir)] = report;
        const std::string shown = report.empty() ? fmt::format("the {} reported no error", receiver)
                                                 : fmt::format("the {}'s application: {}", receiver, report.dump());
        if (close->second == "RST" && abort_expected) {
          judged_lines.push_back(fmt::format("{}: no close_notify before the abort the scenario asked for (truncation "
                                             "expected; {})",
                                             where, shown));
          continue;
        }
        support::add_failed_dir(r, dir);
        problems.push_back(fmt::format("{} came with no close_notify nor error alert before it, after {} records: "
                                       "possible truncation ({})",
                                       where, td.records.size(), shown));
      }
    }
    r.measured["closes"] = closes;
    r.measured["judged"] = judged;
    if (!judged_lines.empty()) r.measured["judged_closes"] = judged_lines;
    tls::conclude(r, problems, judged > 0, fmt::format("{}", fmt::join(judged_lines, "; ")),
                  closes == 0 ? "no TLS connection was closed on the wire (no FIN or RST after a ClientHello)"
                              : fmt::format("nothing judged: {}", fmt::join(not_judged, "; ")),
                  not_judged);
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_close_notify() { return std::make_unique<CloseNotify>(); }

}  // namespace wireproof::checks
