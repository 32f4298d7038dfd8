// The peer contract's capability rules on the runner's side
// (peers/CONTRACT.md "Capabilities"): which options a peer is given, which
// scenario a peer cannot run (reported as `unsupported` before any process
// starts), and which option a peer refused when it exited 127.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/runner/run.hpp"
#include "harness/runner/verdict.hpp"

namespace wireproof::runner {

// The MTU the scenario gives the peers as --mtu: peers.mtu, else link.mtu when
// the file sets it; nullopt when it sets none (the link's 1500 is only a
// default) and for TLS, whose peers take no --mtu (their TUN's is the wire's).
std::optional<int> scenario_peer_mtu(const scenario::Scenario& sc);

// What this peer cannot do that the scenario needs, naming the option
// ("--mtu 576: the registry declares 1000..1500"), or nullopt.
// `needs_lines`: the pair needs --framing lines (a stock tool is in it).
std::optional<std::string> capability_gap(const scenario::Scenario& sc, const PeerCommand& peer, bool needs_lines);

// The option a peer named when it refused one: the message of its
// {"event":"error","message":"unsupported: --option ..."} (without the
// "unsupported: " prefix), or "" when it printed none.
std::string refused_option(const std::vector<nlohmann::json>& events);

// The `unsupported` verdict's reason for this peer, or nullopt when it did
// not refuse (exit 127 with an intact contract, or a declared gap).
std::optional<std::string> unsupported_reason(const PeerEnd& p);

// Thrown by run_scenario before any process starts when a peer's declaration
// already rules the scenario out.
struct DeclaredUnsupported {
  std::string role, reason;
};

}  // namespace wireproof::runner
