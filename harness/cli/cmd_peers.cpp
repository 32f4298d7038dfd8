#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "harness/cli/commands.hpp"
#include "harness/cli/peer_lookup.hpp"
#include "harness/registry/registry.hpp"

namespace wireproof::cli {

int cmd_peers(const std::string& registry_path) {
  PeerLookup lookup = default_peer_lookup();
  if (!registry_path.empty()) lookup.registry_path = registry_path;
  auto reg = registry::Registry::load(lookup.registry_path);
  std::cout << fmt::format("{:<12} {:<6} {:<10} {:<24} {}\n", "peer", "kind", "library", "version", "description");
  int missing = 0;
  for (const auto& e : reg.entries()) {
    auto peer = lookup.resolve(e.name);
    std::string version;
    if (!std::filesystem::exists(peer.argv_prefix.at(0))) {
      version = "not built";
      ++missing;
    } else {
      lookup.query_version(peer);
      version = peer.version;
    }
    std::cout << fmt::format("{:<12} {:<6} {:<10} {:<24} {}\n", e.name, e.kind, peer.implementation, version,
                             e.description);
  }
  std::cout << "registry: " << lookup.registry_path << "\n";
  return 0;
}

}  // namespace wireproof::cli
