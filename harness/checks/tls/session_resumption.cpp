// session_resumption: what a resuming ClientHello carries and whether the
// resumption happened, from the hellos in clear (support::tls_view):
//  - RFC 8446 4.2.11, the client (c2s): a ClientHello with pre_shared_key has
//    it as its last extension;
//  - RFC 8446 4.2.9, the client: psk_key_exchange_modes comes with it;
//  - `resumed: true` (the scenario gave both peers --resume): a later
//    connection offered what an earlier one issued (1.3: pre_shared_key;
//    1.2: a session_ticket or a session id), else the client fails (the
//    server, when no earlier connection shows a ticket or a session id to
//    resume), and the server accepted it (1.3: pre_shared_key in
//    ServerHello; 1.2: the abbreviated handshake, no Certificate, and the
//    client's session id echoed, RFC 5077 3.4), else the server fails;
//  - each peer's handshake_done `resumed` agrees with the wire (a
//    self-report the wire contradicts fails that side; never trusted
//    otherwise).
// Tickets in 1.3 are encrypted: whether connection 1 issued one is said only
// with a key log; the offer and the acceptance are in clear either way.
// not_applicable: no connection offered resumption and none was asked for.
// Parameters: resumed (false).
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

constexpr std::uint16_t kExtSessionTicket = 35, kExtPreSharedKey = 41, kExtPskModes = 45;
constexpr std::uint8_t kHsNewSessionTicket = 4, kHsCertificate = 11;

bool has_message(const dissect::TranscriptDirection& d, std::uint8_t type) {
  for (const auto& m : d.handshake)
    if (m.type == type) return true;
  return false;
}

// What one connection's last ClientHello offered to resume, and whether its ServerHello took it.
struct Attempt {
  std::string offered;   // "" none; "pre_shared_key", "session_ticket", "session id"
  bool accepted = false;
  std::string how;       // why accepted / declined, in words
};

Attempt attempt_of(const dissect::TlsTranscript& t, const std::vector<std::vector<std::uint8_t>>& earlier_ids) {
  Attempt a;
  const auto& ch = t.client_hellos.back().hello;
  const auto* ticket = dissect::find_extension(ch.extensions, kExtSessionTicket);
  bool known_id = false;
  for (const auto& id : earlier_ids) known_id = known_id || (!ch.session_id.empty() && id == ch.session_id);
  if (dissect::find_extension(ch.extensions, kExtPreSharedKey)) a.offered = "pre_shared_key";
  else if (ticket && !ticket->empty()) a.offered = "session_ticket";
  else if (known_id) a.offered = "session id";
  if (a.offered.empty() || !t.server_hello) return a;
  const auto& sh = *t.server_hello;
  if (t.version == dissect::kTls13) {
    a.accepted = dissect::find_extension(sh.extensions, kExtPreSharedKey) != nullptr;
    a.how = a.accepted ? "ServerHello carries pre_shared_key" : "ServerHello has no pre_shared_key (a full handshake)";
  } else {
    const bool certificate = has_message(t.s2c, kHsCertificate);
    const bool same_id = !ch.session_id.empty() && sh.session_id == ch.session_id;
    a.accepted = !certificate && same_id;
    a.how = certificate ? "the server sent its Certificate (a full handshake)"
            : same_id   ? "abbreviated handshake with the client's session id echoed"
                        : "no Certificate, but ServerHello's session id is not the client's (RFC 5077 3.4)";
  }
  return a;
}

class SessionResumption final : public Check {
 public:
  std::string name() const override { return "session_resumption"; }
  std::string rfc() const override { return "RFC 8446 4.2.11 / 4.2.9; RFC 5077 3.4"; }
  std::string sentence() const override {
    return "The \"pre_shared_key\" extension MUST be the last extension in the ClientHello. ... Clients MUST provide "
           "this extension if they offer a \"pre_shared_key\" extension.";
  }
  std::vector<std::string> protocols() const override { return tls::tls_both(); }
  std::vector<std::string> parameters() const override { return {"resumed"}; }

  CheckResult run(const Inputs& in) const override {
    const json params = support::check_params(in, *this);
    const bool asked = params.value("resumed", false);
    CheckResult r;
    r.expected = {{"pre_shared_key", "the last ClientHello extension, with psk_key_exchange_modes"}};
    if (asked) r.expected["resumed"] = "a later connection offers a ticket / PSK and the server accepts it";
    r.measured = json::object();
    const auto& view = support::tls_view(in);
    std::vector<std::string> problems, notes;
    std::vector<std::vector<std::uint8_t>> earlier_ids;
    bool ticket_seen = false, ticket_unknown = false, any_offer = false, any_accepted = false;
    std::size_t tls_connections = 0;
    const auto c_done = tcp::peer_events(in, "client", "handshake_done");
    const auto s_done = tcp::peer_events(in, "server", "handshake_done");
    for (std::size_t k = 0; k < view.connections.size(); ++k) {
      const auto& t = view.connections[k].tls;
      if (t.client_hellos.empty()) continue;
      ++tls_connections;
      const std::string label = fmt::format("connection {}", k + 1);
      for (const auto& [n, hello] : t.client_hellos) {
        const auto& ext = hello.extensions;
        if (!dissect::find_extension(ext, kExtPreSharedKey)) continue;
        const auto& m = t.c2s.handshake[n];
        const auto cite = support::record_packets(t.c2s.records[m.first_record]);
        r.evidence.insert(r.evidence.end(), cite.begin(), cite.end());
        if (ext.back().first != kExtPreSharedKey) {
          support::add_failed_dir(r, "c2s");
          problems.push_back(fmt::format("{}: the ClientHello (i={}) has pre_shared_key, but its last extension is {}",
                                         label, cite.front(), ext.back().first));
        }
        if (!dissect::find_extension(ext, kExtPskModes)) {
          support::add_failed_dir(r, "c2s");
          problems.push_back(fmt::format("{}: the ClientHello (i={}) offers pre_shared_key without "
                                         "psk_key_exchange_modes",
                                         label, cite.front()));
        }
      }
      const Attempt a = attempt_of(t, earlier_ids);
      json m{{"offered", a.offered.empty() ? json(nullptr) : json(a.offered)}, {"accepted", a.accepted}};
      if (!a.how.empty()) m["how"] = a.how;
      if (!a.offered.empty()) {
        any_offer = true;
        any_accepted = any_accepted || a.accepted;
        notes.push_back(fmt::format("{}: {} offered, {}", label, a.offered, a.how));
      }
      // Each side's own report of this connection (by "connection", else in order), against the wire.
      if (!a.offered.empty() || k > 0) {
        for (const auto* done : {&c_done, &s_done}) {
          const std::string role = done == &c_done ? "client" : "server";
          const tcp::TimedReport* report = nullptr;
          for (const auto& e : *done)
            if (e.event.value("connection", json(nullptr)) == json(k + 1)) report = &e;
          if (!report && done->size() == view.connections.size()) report = &(*done)[k];
          if (!report || !report->event.contains("resumed") || !report->event["resumed"].is_boolean()) continue;
          const bool said = report->event["resumed"].get<bool>();
          m[role + "_reported_resumed"] = said;
          if (t.server_hello && said != a.accepted) {
            if (report->i) r.evidence.push_back(*report->i);
            support::add_failed_dir(r, role == "client" ? "c2s" : "s2c");
            problems.push_back(fmt::format("{}: the {} reported resumed: {}, but the wire shows {}", label, role, said,
                                           a.accepted ? "the resumption accepted" : "no resumption"));
          }
        }
      }
      r.measured["connections"].push_back(m);
      // What this connection leaves to resume later.
      if (has_message(t.s2c, kHsNewSessionTicket)) ticket_seen = true;
      else if (tls::has_unopened(t.s2c) && t.version == dissect::kTls13) ticket_unknown = true;
      if (t.server_hello && !t.server_hello->session_id.empty()) earlier_ids.push_back(t.server_hello->session_id);
    }
    if (asked) {
      if (tls_connections < 2) {
        problems.push_back(fmt::format("the scenario asked for a resumption, but {} TLS connection(s) crossed the wire "
                                       "(no side judged)",
                                       tls_connections));
      } else if (!any_offer) {
        const bool nothing_issued = !ticket_seen && !ticket_unknown && earlier_ids.empty();
        support::add_failed_dir(r, nothing_issued ? "s2c" : "c2s");
        problems.push_back(nothing_issued
                               ? std::string("the scenario asked for a resumption, but the server issued no ticket "
                                             "nor session id to resume")
                               : std::string("the scenario asked for a resumption, but no later ClientHello offered "
                                             "the ticket / session it was given"));
      } else if (!any_accepted) {
        support::add_failed_dir(r, "s2c");
        problems.push_back(fmt::format("the scenario asked for a resumption, but the server declined it ({})",
                                       fmt::join(notes, "; ")));
      }
    }
    r.measured["ticket_seen"] = ticket_seen ? json(true) : (ticket_unknown ? json("not seen: encrypted") : json(false));
    tls::conclude(r, problems, any_offer || asked, fmt::format("{}", fmt::join(notes, "; ")),
                  "no ClientHello offered a resumption and the scenario asked for none", {});
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_session_resumption() { return std::make_unique<SessionResumption>(); }

}  // namespace wireproof::checks
