// What a peer declares it can do: peers/registry.json "capabilities"
// (peers/CONTRACT.md "Capabilities"). The registry parses it; the runner
// uses it to decide which options to pass and to report a scenario a peer
// cannot run as `unsupported` before starting anything. Header-only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "peers/contract_limits.hpp"

namespace wireproof::contract {

// What a peer declares it can do (registry "capabilities", peers/CONTRACT.md
// "Capabilities"); an entry without it declares the whole contract.
struct Capabilities {
  // Optional contract options it accepts, without "--" ("mtu", "chunk", ...);
  // nullopt: all of kOptionalContractOptions.
  std::optional<std::vector<std::string>> options;
  int mtu_min = kDtls12.mtu_min, mtu_max = kDtls12.mtu_max;  // --mtu values it accepts (IP layer)
  int timer_granularity_ms = 1;        // its retransmission timer fires on multiples of this

  bool accepts(const std::string& option) const {
    if (!options) return true;
    for (const auto& o : *options)
      if (o == option) return true;
    return false;
  }
};

// The contract options a peer may decline (the rest are required of every peer).
inline const std::vector<std::string> kOptionalContractOptions{
    "mtu", "timer-initial-ms", "handshake-timeout-ms", "echo-bytes", "chunk", "idle-timeout-ms", "framing",
    "server-name"};

}  // namespace wireproof::contract
