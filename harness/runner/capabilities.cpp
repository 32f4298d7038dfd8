#include "harness/runner/capabilities.hpp"

#include <fmt/format.h>

#include "harness/scenario/protocol.hpp"

namespace wireproof::runner {

std::optional<int> scenario_peer_mtu(const scenario::Scenario& sc) {
  if (scenario::is_tls(sc.protocol)) return std::nullopt;
  if (sc.peers.mtu) return sc.peers.mtu;
  if (sc.link.mtu_given) return sc.link.mtu;
  return std::nullopt;
}

std::optional<std::string> capability_gap(const scenario::Scenario& sc, const PeerCommand& peer, bool needs_lines) {
  if (!peer.speaks(sc.protocol)) {
    std::string spoken;
    for (const auto& p : peer.protocols) spoken += (spoken.empty() ? "" : ", ") + p;
    return fmt::format("--protocol {} (the registry lists protocols {})", sc.protocol, spoken);
  }
  const auto& caps = peer.capabilities;
  auto undeclared = [&](const std::string& option, const std::string& because) -> std::optional<std::string> {
    if (caps.accepts(option)) return std::nullopt;
    return fmt::format("--{} ({}; the registry does not list it in capabilities.options)", option, because);
  };
  if (auto mtu = scenario_peer_mtu(sc)) {
    if (auto gap = undeclared("mtu", fmt::format("the scenario sets an MTU of {}", *mtu))) return gap;
    if (*mtu < caps.mtu_min || *mtu > caps.mtu_max)
      return fmt::format("--mtu {} (the registry declares capabilities.mtu {}..{})", *mtu, caps.mtu_min,
                         caps.mtu_max);
  }
  if (sc.peers.timer_initial_ms)
    if (auto gap = undeclared("timer-initial-ms", fmt::format("the scenario sets {} ms", *sc.peers.timer_initial_ms)))
      return gap;
  if (sc.workload.echo_bytes > 0)
    for (const char* option : {"echo-bytes", "chunk"})
      if (auto gap = undeclared(option, "the scenario's workload needs it")) return gap;
  if (needs_lines)
    if (auto gap = undeclared("framing", "a stock tool in the pair needs --framing lines")) return gap;
  return std::nullopt;
}

std::string refused_option(const std::vector<nlohmann::json>& events) {
  static const std::string prefix = "unsupported: ";
  for (const auto& ev : events)
    if (ev.value("event", "") == "error" && ev.contains("message") && ev["message"].is_string()) {
      const auto& m = ev["message"].get_ref<const std::string&>();
      if (m.rfind(prefix, 0) == 0) return m.substr(prefix.size());
    }
  return "";
}

std::optional<std::string> unsupported_reason(const PeerEnd& p) {
  if (p.not_started_unsupported)
    return fmt::format("{} does not support {}; not started (peers/registry.json capabilities)", p.role, p.refused);
  if (p.exit_code != 127 || !p.contract_violation.empty()) return std::nullopt;
  if (p.refused.empty())
    return p.role + " does not support an option this scenario needs (exit 127, no \"unsupported: --option\" event)";
  return fmt::format("{} does not support {} (exit 127)", p.role, p.refused);
}

}  // namespace wireproof::runner
