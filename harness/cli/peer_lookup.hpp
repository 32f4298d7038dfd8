// Turns peer names into commands (peers/registry.json) and asks each peer
// which library version it actually links or runs (`PEER --version`).
#pragma once

#include <string>
#include <vector>

#include "harness/runner/run.hpp"

namespace wireproof::cli {

struct PeerLookup {
  std::string registry_path;  // peers/registry.json
  std::string build_dir;      // where the peer executables were built

  // Throws std::runtime_error listing the known names for an unknown one.
  runner::PeerCommand resolve(const std::string& name) const;
  std::vector<std::string> names() const;
  // Runs `argv --version` (5 s limit); fills implementation/version, or
  // version = "unavailable: <why>".
  void query_version(runner::PeerCommand& peer) const;
};

// Defaults compiled in: the source tree's registry, this binary's build tree.
PeerLookup default_peer_lookup();

}  // namespace wireproof::cli
