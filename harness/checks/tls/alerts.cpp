// alerts: the alert a scenario provokes is the one the RFC names, sent by the
// side that must send it, and TLS 1.3 error alerts are fatal. From the alerts
// on the wire (support::tls_view: in clear, or decrypted with a key log):
//  - `alert: NAME, from: client|server` (expect.checks.alerts): the `from`
//    side's first error alert (any but close_notify / user_canceled) is NAME:
//    e.g. unknown_ca (a certificate it cannot verify), unrecognized_name
//    (an unknown SNI host, RFC 6066 3, for a server configured to refuse
//    it), protocol_version (no common version, RFC 8446 4.1.3 / 4.2.1),
//    bad_record_mac (a record that does not authenticate, RFC 8446 5.2).
//    A different one fails that side (named); none with all its records
//    seen fails it; none while some are unopened (1.3 alerts after
//    ServerHello are encrypted; no key log) is not judged, said so. In 1.2
//    an encrypted alert's outer type shows that one was sent, not which;
//  - `alert: none, from: ...`: that side sent no error alert (e.g. a server
//    configured to serve its default certificate for an unknown SNI host);
//  - RFC 8446 6.2, every TLS 1.3 error alert's sender: sent with level fatal.
// The receiving side's own report (its `alert` and `error` events) is shown
// beside it: the application's error, never used to judge the wire.
// not_applicable: no alert on the wire and none expected.
// Parameters: alert (none), from (required with alert).
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

constexpr std::uint8_t kCloseNotify = 0, kUserCanceled = 90, kFatal = 2;

bool is_error_alert(const dissect::TranscriptAlert& a) {
  return !a.fragment && a.description != kCloseNotify && a.description != kUserCanceled;
}

// What `role`'s application said: its alert events and its first error message.
json application_report(const Inputs& in, const std::string& role) {
  json out = json::object();
  for (const auto& e : tcp::peer_events(in, role, "alert"))
    out["alerts"].push_back(fmt::format("{} {} {}", e.event.value("direction", "?"), e.event.value("level", "?"),
                                        e.event.value("description", "?")));
  if (const auto e = tcp::peer_events(in, role, "error"); !e.empty()) {
    out["error"] = e.front().event.value("message", "");
    if (e.front().event.contains("reason")) out["reason"] = e.front().event["reason"];
  }
  return out;
}

class Alerts final : public Check {
 public:
  std::string name() const override { return "alerts"; }
  std::string rfc() const override { return "RFC 8446 6.2 / RFC 6066 3 / RFC 5246 7.2.2"; }
  std::string sentence() const override {
    return "Whenever an implementation encounters a fatal error condition, it SHOULD send an appropriate fatal alert "
           "and MUST close the connection without sending or receiving any additional data.";
  }
  std::vector<std::string> protocols() const override { return tls::tls_both(); }
  std::vector<std::string> parameters() const override { return {"alert", "from"}; }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    const std::string expected = params.value("alert", "");
    const std::string from = params.value("from", "");
    std::optional<int> expected_code;
    if (!expected.empty()) {
      if (from != "client" && from != "server")
        throw std::runtime_error(fmt::format("alerts: 'from' must be client or server with alert '{}', got '{}'",
                                             expected, from));
      if (expected != "none" && !(expected_code = tls::alert_from_name(expected)))
        throw std::runtime_error(fmt::format("alerts: '{}' is not an RFC alert name (e.g. unrecognized_name, "
                                             "unknown_ca, protocol_version, bad_record_mac) nor none",
                                             expected));
    } else if (!from.empty()) {
      throw std::runtime_error("alerts: 'from' given without 'alert'");
    }
    CheckResult r;
    r.expected = {{"tls1.3_error_alerts", "level fatal"}};
    if (!expected.empty()) r.expected["from_" + from] = expected == "none" ? "no error alert" : expected;
    r.measured = json::object();
    const auto& view = support::tls_view(in);
    std::vector<std::string> problems, not_judged, seen;
    int alerts = 0;
    const std::string judged_dir = from == "client" ? "c2s" : "s2c";
    std::optional<std::string> first_from;  // the `from` side's first error alert, in words
    std::optional<int> first_code;
    bool unopened_from = false;
    for (std::size_t k = 0; k < view.connections.size(); ++k) {
      const auto& t = view.connections[k].tls;
      const std::string label = view.connections.size() > 1 ? fmt::format(" (connection {})", k + 1) : "";
      for (const char* dir : tcp::kDirs) {
        const auto& d = t.dir(dir);
        for (const auto& a : d.alerts) {
          if (a.fragment) continue;
          ++alerts;
          const auto& rec = d.records[a.record];
          const std::string what = fmt::format("{}{}: the {}'s {} {} (i={}{})", dir, label, tcp::sender_role(dir),
                                               tls::alert_level(a.level), tls::alert_name(a.description), rec.first.i,
                                               a.encrypted ? ", decrypted" : ", in clear");
          seen.push_back(what);
          if (t.version == dissect::kTls13 && is_error_alert(a) && a.level != kFatal) {
            for (auto i : support::record_packets(rec)) r.evidence.push_back(i);
            support::add_failed_dir(r, dir);
            problems.push_back(fmt::format("{}: a TLS 1.3 error alert must be sent with level fatal", what));
          }
          if (dir == judged_dir && is_error_alert(a) && !first_from) {
            for (auto i : support::record_packets(rec)) r.evidence.push_back(i);
            first_from = what;
            first_code = a.description;
          }
        }
        if (dir != judged_dir) continue;
        for (const auto& rec : d.records)
          if (rec.is_protected && !rec.decrypted) {
            unopened_from = true;
            if (rec.type == dissect::kAlert && !first_from) {
              for (auto i : support::record_packets(rec)) r.evidence.push_back(i);
              first_from = fmt::format("{}{}: an encrypted alert record from the {} (i={}; its description not seen)",
                                       dir, label, from, rec.first.i);
            }
          }
        if (unopened_from)
          not_judged.push_back(fmt::format("{}{}: {}", dir, label, fmt::join(tls::unseen_of(t, dir), "; ")));
      }
    }
    r.measured["alerts"] = seen;
    if (!expected.empty()) {
      const std::string receiver = from == "client" ? "server" : "client";
      r.measured["receiver_report"] = application_report(in, receiver);
      const std::string shown = fmt::format("; the {}'s application: {}", receiver, r.measured["receiver_report"].dump());
      if (expected == "none") {
        if (first_code) {
          support::add_failed_dir(r, judged_dir);
          problems.push_back(fmt::format("the {} should send no error alert, but sent {}{}", from, *first_from, shown));
        } else if (unopened_from) {
          not_judged.insert(not_judged.begin(), fmt::format("whether the {} sent an alert (expected none)", from));
        }
      } else if (first_code) {
        if (*first_code != *expected_code) {
          support::add_failed_dir(r, judged_dir);
          problems.push_back(fmt::format("expected {} from the {}, but its first error alert is {}{}", expected, from,
                                         *first_from, shown));
        }
      } else if (first_from || unopened_from) {
        not_judged.insert(not_judged.begin(),
                          first_from ? fmt::format("expected {} from the {}: {}", expected, from, *first_from)
                                     : fmt::format("expected {} from the {}: none seen in clear", expected, from));
      } else {
        support::add_failed_dir(r, judged_dir);
        problems.push_back(fmt::format("expected {} from the {}, but it sent no error alert (every record it sent "
                                       "seen){}",
                                       expected, from, shown));
      }
    }
    const bool expectation_judged =
        !expected.empty() && (expected == "none" ? (first_code || !unopened_from) : first_code.has_value());
    std::vector<std::string> parts;
    if (expected == "none") parts.push_back(fmt::format("the {} sent no error alert, as expected", from));
    else if (!expected.empty()) parts.push_back(fmt::format("{} from the {}, as expected", expected, from));
    parts.insert(parts.end(), seen.begin(), seen.end());
    const bool judged = expected.empty() ? alerts > 0 : expectation_judged;
    tls::conclude(r, problems, judged, fmt::format("{}", fmt::join(parts, "; ")),
                  expected.empty() ? "no alert on the wire and none expected"
                                   : fmt::format("the expected alert was not judged{}", tls::not_judged_suffix(not_judged)),
                  not_judged);
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_alerts() { return std::make_unique<Alerts>(); }

}  // namespace wireproof::checks
