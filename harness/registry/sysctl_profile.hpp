// A registry entry's kernel settings (peers/CONTRACT.md "TCP", "Sysctl
// profiles"): the sysctls the harness applies in the peer's network namespace
// before the peer starts, and per-route options for settings the kernel only
// has as route metrics. One kernel stack with different settings is a
// different peer (`linux`, `linux-rfc`), so the matrix shows what each changes.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace wireproof::registry {

struct SysctlSetting {
  std::string name;   // "net.ipv4.tcp_syn_linear_timeouts"
  std::string value;  // written as is to /proc/sys/...
  std::string why;    // the RFC sentence or reason, shown with results
  bool if_present = false;  // skipped (and said so) on a kernel without it
};

// An `ip route ... <name> <value>` option for the route to the other side
// ("rto_min" "1s"): what the kernel offers only per route.
struct RouteOption {
  std::string name, value, why;
};

struct SysctlProfile {
  std::vector<SysctlSetting> sysctls;  // in file order
  std::vector<RouteOption> route;

  // {name, value} pairs for L3SideConfig::sysctls (if_present ones included:
  // the topology decides whether the kernel has them).
  std::vector<std::pair<std::string, std::string>> sysctl_pairs() const;
};

// Reads "sysctls" and "route" of entry `e` (both optional); fails through
// fields::fail naming the entry and field.
SysctlProfile parse_sysctl_profile(const nlohmann::json& e, const std::string& where);

}  // namespace wireproof::registry
