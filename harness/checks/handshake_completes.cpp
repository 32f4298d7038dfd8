// handshake_completes: both peers reported handshake_done (peers/CONTRACT.md)
// and the wire agrees. A side's handshake_done counts only if the wire shows
// a protected (epoch >= 1) handshake record -- its Finished -- from that side,
// and one from the other side that was delivered to it: without both, the
// side cannot have verified the peer's Finished (RFC 5246 7.4.9), so its
// claim is false and the check fails naming the missing direction.
// When the scenario expects the handshake to fail (expect.handshake: fail),
// it passes only if the handshake did NOT complete on both sides (a claim the
// wire refutes still fails: the peer broke the contract either way).
// Version and cipher are reported, and a disagreement between the sides is
// named in the detail; it is not failed here, since shims for different
// libraries may spell the same cipher differently.
// Parameters: none.
#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/peer_reports.hpp"
#include "harness/checks/support/wire_records.hpp"
#include "harness/events/dtls_constants.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;

json side_json(const std::optional<support::PeerReport>& done, const PeerOutcome& outcome) {
  json j{{"handshake_done", done.has_value()}, {"exit_code", outcome.exit_code}};
  if (!outcome.exit_reason.empty()) j["exit_reason"] = outcome.exit_reason;
  if (done) {
    for (const char* key : {"time_ms", "version", "cipher"})
      if (done->event.contains(key)) j[key] = done->event[key];
  }
  return j;
}

std::string field(const std::optional<support::PeerReport>& done, const char* key) {
  if (!done || !done->event.contains(key) || !done->event[key].is_string()) return "";
  return done->event[key].get<std::string>();
}

// Protected handshake records (Finished) each way.
struct FinishedOnWire {
  support::RecordTally c2s, s2c;
  const support::RecordTally& from(const std::string& role) const { return role == "client" ? c2s : s2c; }
  const support::RecordTally& to(const std::string& role) const { return role == "client" ? s2c : c2s; }
};

// Why the wire refutes `role`'s handshake_done, or "" when it supports it.
std::string refutation(const std::string& role, const FinishedOnWire& wire) {
  const std::string peer = role == "client" ? "server" : "client";
  if (wire.from(role).arrived == 0)
    return fmt::format("{} claimed handshake_done but the wire shows no epoch-1 handshake record from the {}", role,
                       role);
  if (wire.to(role).arrived == 0)
    return fmt::format("{} claimed handshake_done but the wire shows no epoch-1 handshake record from the {}", role,
                       peer);
  if (wire.to(role).forwarded == 0)
    return fmt::format("{} claimed handshake_done but no epoch-1 handshake record from the {} was delivered to it "
                       "({} arrived at the wire, none left it)",
                       role, peer, wire.to(role).arrived);
  return "";
}

class HandshakeCompletes final : public Check {
 public:
  std::string name() const override { return "handshake_completes"; }
  bool judges_per_direction() const override { return false; }  // one outcome per run
  std::string rfc() const override { return "RFC 6347 4.2.4 / RFC 5246 7.3"; }
  std::string sentence() const override {
    return "At this point, the handshake is complete, and the client and server may begin to exchange "
           "application layer data.";
  }

  CheckResult run(const Inputs& in) const override {
    CheckResult r;
    const auto client = support::find_peer_event(in, "client", "handshake_done");
    const auto server = support::find_peer_event(in, "server", "handshake_done");
    const bool expect_complete = in.scenario.expect.handshake_completes;
    const support::RecordFilter finished{events::kHandshake, 1};
    const FinishedOnWire wire{support::tally_records(in.log, "c2s", finished),
                              support::tally_records(in.log, "s2c", finished)};
    std::vector<std::string> refuted;
    for (const auto& [role, done] : {std::pair{"client", client}, std::pair{"server", server}})
      if (done)
        if (auto why = refutation(role, wire); !why.empty()) refuted.push_back(why);
    const bool completed = client && server && refuted.empty();

    r.expected = {{"handshake", expect_complete ? "complete" : "fail"},
                  {"wire", "each side's handshake_done backed by epoch-1 handshake records from it and delivered to it"}};
    r.measured = {{"completed", completed},
                  {"client", side_json(client, in.client)},
                  {"server", side_json(server, in.server)},
                  {"epoch1_handshake_records", {{"c2s", support::to_json(wire.c2s)}, {"s2c", support::to_json(wire.s2c)}}}};
    for (const auto& done : {client, server})
      if (done && done->log_i) r.evidence.push_back(*done->log_i);
    for (const auto* t : {&wire.c2s, &wire.s2c}) r.evidence.insert(r.evidence.end(), t->datagrams.begin(), t->datagrams.end());

    if (!refuted.empty()) {  // a false claim fails whatever the scenario expects
      r.verdict = Verdict::fail;
      for (const auto& [role, done] : {std::pair{"client", client}, std::pair{"server", server}})
        if (!done) refuted.push_back(fmt::format("{} did not report handshake_done", role));
      r.detail = fmt::format("{}", fmt::join(refuted, "; "));
      return r;
    }

    if (!expect_complete) {
      r.verdict = completed ? Verdict::fail : Verdict::pass;
      r.detail = completed ? "handshake completed although the scenario expects it to fail"
                           : fmt::format("handshake did not complete, as expected (client done: {}, server done: {})",
                                         client.has_value(), server.has_value());
      return r;
    }
    if (!completed) {
      r.verdict = Verdict::fail;
      r.detail = fmt::format("handshake did not complete: client {}, server {}",
                             client ? "reported handshake_done" : "did not report handshake_done",
                             server ? "reported handshake_done" : "did not report handshake_done");
      return r;
    }
    const auto cv = field(client, "version"), sv = field(server, "version");
    const auto cc = field(client, "cipher"), sc = field(server, "cipher");
    const bool agree = cv == sv && cc == sc;
    r.measured["peers_agree"] = agree;
    r.verdict = Verdict::pass;
    r.detail = agree ? fmt::format("both peers completed the handshake ({} {})", cv, cc)
                     : fmt::format("both peers completed the handshake; they name it differently: client {} {}, "
                                   "server {} {}",
                                   cv, cc, sv, sc);
    return r;
  }
};

}  // namespace

std::unique_ptr<Check> make_handshake_completes() { return std::make_unique<HandshakeCompletes>(); }

}  // namespace wireproof::checks
