// plaintext_fallback: a TLS client that meets a server answering in
// something other than TLS (the server's stream is not TLS records from its
// first byte: tls_records' walk fault, e.g. "HTTP/1.1 400") fails at once
// with a clear error instead of waiting for its handshake timeout. The
// client is judged (failed_dirs c2s):
//  - it reports an `error` event (peers/CONTRACT.md): the application is
//    told why, not left with a silent close;
//  - it ends the connection on the wire (its FIN or RST) within
//    `max_reaction_ms` of the first non-TLS byte's delivery to it (a client
//    that waits for a record that will never come hangs until its timeout).
// RFC 8446 5: "If a TLS implementation receives an unexpected record type, it
// MUST terminate the connection with an \"unexpected_message\" alert" (the
// alert itself is the alerts check's: a client may not even get a record type
// out of the bytes).
// not_applicable: every connection's server answered in TLS (or not at all).
// Parameters: max_reaction_ms (1000).
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

// The first delivery of a data segment covering stream offset `at` of `d`.
std::optional<std::int64_t> delivered_at(const dissect::TcpDirection& d, std::size_t at) {
  std::optional<std::int64_t> out;
  for (const auto& s : d.segments)
    if (s.delivered && s.data_start <= static_cast<std::int64_t>(at) && static_cast<std::int64_t>(at) < s.data_end() &&
        (!out || s.delivered_us < *out))
      out = s.delivered_us;
  return out;
}

class PlaintextFallback final : public Check {
 public:
  std::string name() const override { return "plaintext_fallback"; }
  std::string rfc() const override { return "RFC 8446 5 / RFC 5246 6"; }
  std::string sentence() const override {
    return "If a TLS implementation receives an unexpected record type, it MUST terminate the connection with an "
           "\"unexpected_message\" alert.";
  }
  std::vector<std::string> protocols() const override { return tls::tls_both(); }
  std::vector<std::string> parameters() const override { return {"max_reaction_ms"}; }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    const double max_ms = support::number_param(params, "max_reaction_ms", 1000);
    CheckResult r;
    r.expected = {{"client_error_event", true}, {"client_closes_within_ms", max_ms}};
    if (in.scenario.peers.handshake_timeout_ms) r.expected["handshake_timeout_ms"] = *in.scenario.peers.handshake_timeout_ms;
    r.measured = json::object();
    const auto& view = support::tls_view(in);
    std::vector<std::string> problems, lines;
    int judged = 0;
    for (std::size_t k = 0; k < view.connections.size(); ++k) {
      const auto& t = view.connections[k].tls;
      const auto& conn = *view.connections[k].tcp;
      if (t.client_hellos.empty() || !t.s2c.record_fault || !t.s2c.records.empty()) continue;
      const std::string label = view.connections.size() > 1 ? fmt::format(" (connection {})", k + 1) : "";
      const auto arrived = delivered_at(conn.s2c, t.s2c.fault_offset);
      if (!arrived) continue;
      ++judged;
      json m{{"server_answer", *t.s2c.record_fault}, {"answer_delivered_ms", tcp::ms(*arrived)}};
      for (const auto& s : conn.s2c.segments)
        if (s.delivered && s.delivered_us == *arrived) r.evidence.push_back(s.i());
      // The client's end on the wire: its first FIN or RST after the answer.
      const dissect::TcpSegment* end = nullptr;
      for (const auto& s : conn.c2s.segments)
        if ((s.tcp().has(events::tcp_flags::fin) || s.tcp().has(events::tcp_flags::rst)) && s.t_us() >= *arrived) {
          end = &s;
          break;
        }
      const std::string where = fmt::format("c2s{}: the server answered the ClientHello with non-TLS bytes ({})", label,
                                            *t.s2c.record_fault);
      if (end) {
        r.evidence.push_back(end->i());
        const double took = tcp::ms(end->t_us() - *arrived);
        m["client_closed_after_ms"] = took;
        if (took > max_ms) {
          support::add_failed_dir(r, "c2s");
          problems.push_back(fmt::format("{}; the client closed only {} ms after it arrived (i={}), more than {} ms: it "
                                         "waited instead of failing",
                                         where, took, end->i(), max_ms));
        } else {
          lines.push_back(fmt::format("{}; the client closed {} ms after it (i={})", where, took, end->i()));
        }
      } else {
        support::add_failed_dir(r, "c2s");
        problems.push_back(fmt::format("{}; the client never closed the connection on the wire ({})", where,
                                       in.client.exit_reason.empty() ? "still open when the run ended"
                                                                     : in.client.exit_reason));
      }
      r.measured["connections"].push_back(m);
    }
    if (judged > 0) {
      const auto errors = tcp::peer_events(in, "client", "error");
      if (errors.empty()) {
        support::add_failed_dir(r, "c2s");
        problems.push_back("the client reported no error event: its application was not told why the handshake failed");
      } else {
        if (errors.front().i) r.evidence.push_back(*errors.front().i);
        r.measured["client_error"] = errors.front().event;
        lines.push_back(fmt::format("the client's error: {}", errors.front().event.value("message", "")));
      }
    }
    tls::conclude(r, problems, judged > 0, fmt::format("{}", fmt::join(lines, "; ")),
                  "no server answered a ClientHello with non-TLS bytes", {});
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_plaintext_fallback() { return std::make_unique<PlaintextFallback>(); }

}  // namespace wireproof::checks
