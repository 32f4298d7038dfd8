// What the peers reported (peers/CONTRACT.md events), looked up by role and
// event name. The runner's PeerOutcome is authoritative; the wire log's peer
// events supply the event index `i` for evidence, and stand in for the
// outcome when a check runs on a bare events.jsonl (no PeerOutcome events).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/checks/check.hpp"

namespace wireproof::checks::support {

struct PeerReport {
  nlohmann::json event;                  // the line the peer printed
  std::optional<std::uint64_t> log_i;    // its index in events.jsonl, when logged
};

// The first event named `event_name` ("handshake_done", "app_data", ...)
// reported by `role` ("client" | "server").
std::optional<PeerReport> find_peer_event(const Inputs& in, const std::string& role,
                                          const std::string& event_name);

}  // namespace wireproof::checks::support
