// Timeline entries: one trigger (at_ms, a datagram, or a peer event) and
// the link changes it makes (set mtu, enable/disable a rule).
#include <algorithm>
#include <span>

#include <fmt/format.h>

#include "harness/scenario/names.hpp"
#include "harness/scenario/protocol.hpp"
#include "harness/scenario/sections.hpp"
#include "harness/scenario/yaml_values.hpp"

namespace wireproof::scenario {

namespace {

void read_peer_trigger(const MapReader& on, std::string_view protocol, TimelineEntry& entry) {
  on.require({"peer", "event"});
  auto peer = on.string("peer");
  auto event = on.string("event");
  if (peer && *peer != "client" && *peer != "server") {
    static constexpr std::string_view kRoles[] = {"client", "server"};
    on.error_at("peer", fmt::format("peer must be client or server, got '{}'{}", *peer, did_you_mean(*peer, kRoles)));
    peer.reset();
  }
  const auto events = is_tls(protocol)           ? std::span<const std::string_view>(names::kTlsPeerEvents)
                      : runs_over_tcp(protocol) ? std::span<const std::string_view>(names::kTcpPeerEvents)
                                                : std::span<const std::string_view>(names::kPeerEvents);
  if (event && std::find(events.begin(), events.end(), *event) == events.end()) {
    on.error_at("event", fmt::format("event '{}' is not a {} peer event{} (expected one of {})", *event, protocol,
                                     did_you_mean(*event, events), join_names(events)));
    event.reset();
  }
  if (peer && event) entry.on_peer = PeerTrigger{*peer, *event};
}

std::optional<std::string> read_rule_ref(const MapReader& r, std::string_view key, const std::vector<Rule>& rules) {
  auto name = r.string(key);
  if (!name) return std::nullopt;
  std::vector<std::string_view> names;
  for (const auto& rule : rules) names.push_back(rule.name);
  if (std::find(names.begin(), names.end(), *name) != names.end()) return name;
  std::string known = names.empty() ? "this file has no rules" : "rules are " + join_names(names);
  r.error_at(key, fmt::format("{} refers to unknown rule '{}'{} ({})", key, *name, did_you_mean(*name, names), known));
  return std::nullopt;
}

TimelineEntry read_entry(const YAML::Node& node, std::size_t number, const std::vector<Rule>& rules,
                         std::string_view protocol, Diagnostics& diag) {
  TimelineEntry entry;
  std::string where = fmt::format("in timeline entry {}", number);
  MapReader r(node, where, {"at_ms", "on", "set", "enable", "disable", "inject", "must_fire"}, diag);
  if (!r.is_map()) return entry;

  int triggers = int(r.has("at_ms")) + int(r.has("on"));
  if (triggers != 1)
    diag.error(r.mark(), fmt::format("timeline entry {} has {}; give exactly one trigger: at_ms or on", number,
                                     triggers == 0 ? "no trigger" : "both at_ms and on"));
  entry.at_ms = r.number("at_ms", {0});
  if (r.has("on")) {
    const YAML::Node on = r.get("on");
    // A peer trigger names a peer and an event; anything else is a datagram match.
    bool peer_trigger = on.IsMap() && (on["peer"] || on["event"]);
    if (peer_trigger) {
      read_peer_trigger(MapReader(on, fmt::format("in 'on' of timeline entry {}", number), {"peer", "event"}, diag),
                        protocol, entry);
    } else {
      auto keys = match_keys();
      keys.insert(keys.begin(), "dir");
      MapReader m(on, fmt::format("in 'on' of timeline entry {} (a datagram match, or peer + event)", number), keys,
                  diag);
      if (m.is_map()) entry.on_datagram = std::make_pair(read_direction(m, "dir"), read_match(m, protocol));
    }
  }

  MapReader set(r.get("set"), fmt::format("in 'set' of timeline entry {}", number), {"mtu"}, diag);
  if (auto mtu = set.integer("mtu", {68, 65535})) entry.set_mtu = static_cast<int>(*mtu);
  if (r.has("set")) set.require({"mtu"});
  entry.enable_rule = read_rule_ref(r, "enable", rules);
  entry.disable_rule = read_rule_ref(r, "disable", rules);
  if (r.has("inject")) {
    if (runs_over_tcp(protocol))
      entry.inject = read_inject(r.get("inject"), fmt::format("in 'inject' of timeline entry {}", number), diag);
    else
      r.error_at_key("inject", fmt::format("inject crafts a TCP segment; this scenario's protocol is {}", protocol));
  }
  if (auto v = r.boolean("must_fire")) entry.must_fire = *v;
  if (!r.has("set") && !r.has("enable") && !r.has("disable") && !r.has("inject"))
    diag.error(r.mark(), fmt::format("timeline entry {} changes nothing; give set, enable{}", number,
                                     runs_over_tcp(protocol) ? ", disable or inject" : " or disable"));
  return entry;
}

}  // namespace

std::vector<TimelineEntry> read_timeline(const YAML::Node& node, const std::vector<Rule>& rules,
                                         std::string_view protocol, Diagnostics& diag) {
  std::vector<TimelineEntry> entries;
  if (!node.IsDefined() || is_plain_null(node)) return entries;
  if (!node.IsSequence()) {
    diag.error(node.Mark(), fmt::format("timeline must be a list of entries, got {}", describe_value(node)));
    return entries;
  }
  std::size_t number = 0;
  for (const auto& item : node) entries.push_back(read_entry(item, ++number, rules, protocol, diag));
  return entries;
}

}  // namespace wireproof::scenario
