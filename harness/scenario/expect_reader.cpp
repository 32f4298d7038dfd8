// expect: what the scenario demands, and per-check switches and parameters.
#include <algorithm>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "harness/scenario/names.hpp"
#include "harness/scenario/protocol.hpp"
#include "harness/scenario/sections.hpp"
#include "harness/scenario/yaml_values.hpp"

namespace wireproof::scenario {

Expectations read_expect(const YAML::Node& node, std::string_view protocol, Diagnostics& diag) {
  Expectations out;
  MapReader e(node, "in expect", {"handshake", "retransmit", "checks"}, diag);
  if (auto h = e.string("handshake")) {
    if (*h == "complete" || *h == "fail")
      out.handshake_completes = *h == "complete";
    else
      e.error_at("handshake", fmt::format("handshake must be complete or fail, got '{}'", *h));
  }
  MapReader retransmit(e.get("retransmit"), "in expect.retransmit", {"tolerance_ms", "tolerance_pct"}, diag);
  if (auto v = retransmit.number("tolerance_ms", {0})) out.retransmit_tolerance_ms = *v;
  if (auto v = retransmit.number("tolerance_pct", {0, 1000})) out.retransmit_tolerance_pct = *v;

  YAML::Node checks = e.get("checks");
  if (!checks.IsDefined() || is_plain_null(checks)) return out;
  if (!checks.IsMap()) {
    diag.error(checks.Mark(), fmt::format("expect.checks must be a mapping of check names, got {}",
                                          describe_value(checks)));
    return out;
  }
  const auto known = names::check_names(protocol);
  for (const auto& kv : checks) {
    const std::string& name = kv.first.Scalar();
    // A check of another protocol: say which protocols it judges.
    std::vector<std::string_view> judged_by;
    if (std::find(known.begin(), known.end(), name) == known.end())
      for (auto p : kProtocols) {
        const auto theirs = names::check_names(p);
        if (std::find(theirs.begin(), theirs.end(), name) != theirs.end()) judged_by.push_back(p);
      }
    if (!judged_by.empty()) {
      diag.error(kv.first.Mark(), fmt::format("check '{}' judges {}, not this scenario's protocol {} (its checks: {})",
                                              name, join_names(judged_by), protocol, join_names(known)));
      continue;
    }
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      diag.error(kv.first.Mark(), fmt::format("unknown check '{}' in expect.checks{} (known checks: {})", name,
                                              did_you_mean(name, known), join_names(known)));
      continue;
    }
    if (out.checks_enabled.count(name)) {
      diag.error(kv.first.Mark(), fmt::format("duplicate key '{}' in expect.checks", name));
      continue;
    }
    const YAML::Node& value = kv.second;
    if (auto on = parse_boolean(value)) {
      out.checks_enabled[name] = *on;
    } else if (value.IsMap()) {
      // Parameters switch the check on; the check declares which it takes
      // (harness/checks/scenario_validation.hpp checks them before any run).
      out.checks_enabled[name] = true;
      out.check_params_json[name] = to_json(value).dump();
      for (const auto& param : value)
        out.check_param_positions[name][param.first.Scalar()] = {param.first.Mark().line + 1,
                                                                 param.first.Mark().column + 1};
    } else {
      diag.error(value.IsNull() ? kv.first.Mark() : value.Mark(),
                 fmt::format("check '{}' must be on, off, or a mapping of parameters, got {}", name,
                             describe_value(value)));
    }
  }
  return out;
}

}  // namespace wireproof::scenario
