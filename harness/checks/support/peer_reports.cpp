#include "harness/checks/support/peer_reports.hpp"

namespace wireproof::checks::support {

static bool is_named(const nlohmann::json& e, const std::string& name) {
  return e.is_object() && e.contains("event") && e["event"].is_string() &&
         e["event"].get<std::string>() == name;
}

std::optional<PeerReport> find_peer_event(const Inputs& in, const std::string& role,
                                          const std::string& event_name) {
  std::optional<PeerReport> from_log;
  for (const auto* p : in.log.peer_events()) {
    if (p->role == role && is_named(p->event, event_name)) {
      from_log = PeerReport{p->event, p->i};
      break;
    }
  }
  const PeerOutcome& outcome = role == "client" ? in.client : in.server;
  for (const auto& e : outcome.events) {
    if (is_named(e, event_name)) {
      return PeerReport{e, from_log ? from_log->log_i : std::nullopt};
    }
  }
  return from_log;
}

}  // namespace wireproof::checks::support
