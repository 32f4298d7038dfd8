// Impairment rules: match + counters + one action with its own parameters.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "harness/scenario/protocol.hpp"
#include "harness/scenario/sections.hpp"
#include "harness/scenario/yaml_values.hpp"

namespace wireproof::scenario {

namespace {

struct ActionSpec {
  std::string_view name;
  std::vector<std::string_view> params;
};

const std::vector<ActionSpec>& action_specs() {
  static const std::vector<ActionSpec> specs{
      {"drop", {}},
      {"duplicate", {"copies", "gap_ms"}},
      {"delay", {"ms", "jitter_ms"}},
      {"reorder", {"hold", "max_hold_ms"}},
      {"corrupt", {"offset", "xor"}},
      {"burst_loss", {"p", "r", "loss_good", "loss_bad"}},
      {"rst", {}},
      {"window", {"window"}},
  };
  return specs;
}

std::vector<std::string_view> rule_keys() {
  std::vector<std::string_view> keys{"name", "dir", "match", "skip", "count", "every", "probability", "action",
                                     "must_fire"};
  for (const auto& spec : action_specs())
    for (auto p : spec.params)
      if (std::find(keys.begin(), keys.end(), p) == keys.end()) keys.push_back(p);
  return keys;
}

constexpr Bounds kProbability{0, 1};

Action read_action_params(const MapReader& r, std::string_view action) {
  if (action == "duplicate") {
    Duplicate d;
    if (auto v = r.integer("copies", {1, 100})) d.copies = static_cast<int>(*v);
    if (auto v = r.number("gap_ms", {0})) d.gap_ms = *v;
    return d;
  }
  if (action == "delay") {
    Delay d;
    if (auto v = r.number("ms", {0})) d.ms = *v;
    if (auto v = r.number("jitter_ms", {0})) d.jitter_ms = *v;
    return d;
  }
  if (action == "reorder") {
    Reorder o;
    if (auto v = r.integer("hold", {1, 1000})) o.hold = static_cast<int>(*v);
    if (auto v = r.number("max_hold_ms", {0})) o.max_hold_ms = *v;
    return o;
  }
  if (action == "corrupt") {
    Corrupt c;
    if (auto v = r.integer("offset", {0, 65535})) c.offset = static_cast<std::size_t>(*v);
    if (auto v = r.integer("xor", {1, 255})) c.xor_mask = static_cast<std::uint8_t>(*v);
    return c;
  }
  if (action == "burst_loss") {
    BurstLoss b;
    if (auto v = r.number("p", kProbability)) b.p = *v;
    if (auto v = r.number("r", kProbability)) b.r = *v;
    if (auto v = r.number("loss_good", kProbability)) b.loss_good = *v;
    if (auto v = r.number("loss_bad", kProbability)) b.loss_bad = *v;
    return b;
  }
  if (action == "rst") return Reset{};
  if (action == "window") {
    RewriteWindow w;
    if (!r.has("window")) r.error_at("action", "action window needs window: N (the advertised window to write, 0..65535)");
    if (auto v = r.integer("window", {0, 65535})) w.window = static_cast<std::uint16_t>(*v);
    return w;
  }
  return Drop{};
}

// Actions that rewrite a TCP segment: an L3 wire carrying TCP only.
bool tcp_only(std::string_view action) { return action == "rst" || action == "window"; }

// Reports parameters given for an action that does not take them.
void check_params_belong(const MapReader& r, const ActionSpec& action) {
  for (const auto& spec : action_specs()) {
    for (auto p : spec.params) {
      if (!r.has(p) || std::find(action.params.begin(), action.params.end(), p) != action.params.end())
        continue;
      std::string takes = action.params.empty() ? fmt::format("{} takes no parameters", action.name)
                                                : fmt::format("{} takes {}", action.name, join_names(action.params));
      r.error_at_key(p, fmt::format("parameter '{}' does not belong to action '{}' ({})", p, action.name, takes));
    }
  }
}

Rule read_rule(const YAML::Node& node, std::size_t number, std::string_view protocol, Diagnostics& diag) {
  Rule rule;
  // The rule's name makes every other message about it findable.
  std::string where = fmt::format("in rule {}", number);
  if (node.IsMap() && node["name"] && node["name"].IsScalar()) where = fmt::format("in rule '{}'", node["name"].Scalar());
  if (is_plain_null(node)) {
    diag.error(node.Mark(), fmt::format("rule {} is empty; give at least name and action", number));
    return rule;
  }
  MapReader r(node, where, rule_keys(), diag);
  if (!r.is_map()) return rule;
  r.require({"name", "action"});
  if (auto v = r.string("name")) rule.name = *v;
  rule.dir = read_direction(r, "dir");
  MapReader match(r.get("match"), fmt::format("in match of rule '{}'", rule.name), match_keys(), diag);
  rule.match = read_match(match, protocol);
  if (auto v = r.integer("skip", {0})) rule.skip = static_cast<std::uint64_t>(*v);
  if (auto v = r.integer("count", {1})) rule.count = static_cast<std::uint64_t>(*v);
  if (auto v = r.integer("every", {1})) rule.every = static_cast<std::uint64_t>(*v);
  if (auto v = r.number("probability", kProbability)) rule.probability = *v;
  if (auto v = r.boolean("must_fire")) rule.must_fire = *v;

  auto action = r.string("action");
  if (!action) return rule;
  const auto& specs = action_specs();
  auto spec = std::find_if(specs.begin(), specs.end(), [&](const ActionSpec& s) { return s.name == *action; });
  if (spec == specs.end()) {
    std::vector<std::string_view> names;
    for (const auto& s : specs) names.push_back(s.name);
    auto hint = did_you_mean(*action, names);
    r.error_at("action", fmt::format("action '{}' is not an action{} (expected one of {})", *action, hint,
                                     join_names(names)));
    return rule;
  }
  check_params_belong(r, *spec);
  if (tcp_only(*action) && !runs_over_tcp(protocol)) {
    r.error_at("action", fmt::format("action '{}' rewrites a TCP segment; this scenario's protocol is {}", *action,
                                     protocol));
    return rule;
  }
  rule.action = read_action_params(r, *action);
  return rule;
}

}  // namespace

std::vector<Rule> read_rules(const YAML::Node& node, std::string_view protocol, Diagnostics& diag) {
  std::vector<Rule> rules;
  if (!node.IsDefined() || is_plain_null(node)) return rules;
  if (!node.IsSequence()) {
    diag.error(node.Mark(), fmt::format("rules must be a list of rules, got {}", describe_value(node)));
    return rules;
  }
  std::map<std::string, YAML::Mark> first_seen;
  std::size_t number = 0;
  for (const auto& item : node) {
    rules.push_back(read_rule(item, ++number, protocol, diag));
    const auto& name = rules.back().name;
    if (name.empty()) continue;
    auto [it, inserted] = first_seen.emplace(name, item["name"].Mark());
    if (!inserted)
      diag.error(item["name"].Mark(), fmt::format("duplicate rule name '{}' (first defined at line {})", name,
                                                  it->second.line + 1));
  }
  return rules;
}

}  // namespace wireproof::scenario
