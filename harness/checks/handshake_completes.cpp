// handshake_completes: both peers reported handshake_done (peers/CONTRACT.md).
// When the scenario expects the handshake to fail (expect.handshake: fail),
// it passes only if the handshake did NOT complete on both sides.
// Version and cipher are reported, and a disagreement between the sides is
// named in the detail; it is not failed here, since shims for different
// libraries may spell the same cipher differently.
// Parameters: none.
#include <fmt/format.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/peer_reports.hpp"

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
    const bool completed = client && server;

    r.expected = {{"handshake", expect_complete ? "complete" : "fail"}};
    r.measured = {{"completed", completed},
                  {"client", side_json(client, in.client)},
                  {"server", side_json(server, in.server)}};
    for (const auto& done : {client, server})
      if (done && done->log_i) r.evidence.push_back(*done->log_i);

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
