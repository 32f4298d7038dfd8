#include "harness/registry/sysctl_profile.hpp"

#include <regex>

#include "harness/registry/json_fields.hpp"

namespace wireproof::registry {

namespace f = fields;
using nlohmann::json;

namespace {

// Only the networking sysctls a namespace has of its own; anything else
// would change the host for every run.
const std::regex kSysctlName(R"(net\.(ipv4|ipv6|core)\.[a-z0-9_.]+)");
const std::regex kSysctlValue(R"([0-9]+( [0-9]+)*)");
// The route options the topology knows how to set, with ip-route's value syntax.
const std::regex kRouteTime(R"([0-9]+(ms|s))");

std::string why_of(const json& setting, const std::string& where, const std::string& field) {
  std::string why = f::string(setting, "why", where, field);
  if (why.empty()) f::fail(where, field + ".why", "say why the setting is chosen");
  return why;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> SysctlProfile::sysctl_pairs() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& s : sysctls) out.emplace_back(s.name, s.value);
  return out;
}

SysctlProfile parse_sysctl_profile(const json& e, const std::string& where) {
  SysctlProfile p;
  if (e.contains("sysctls")) {
    const json& all = f::object(e, "sysctls", where, "");
    for (const auto& [name, setting] : all.items()) {
      const std::string field = "sysctls." + name;
      if (!std::regex_match(name, kSysctlName))
        f::fail(where, field, "not a namespaced networking sysctl (net.ipv4.*, net.ipv6.*, net.core.*)");
      if (!setting.is_object()) f::fail(where, field, "expected {\"value\": \"...\", \"why\": \"...\"}");
      f::only_keys(setting, {"value", "why", "if_present"}, where, field);
      SysctlSetting s{name, f::string(setting, "value", where, field), why_of(setting, where, field)};
      if (!std::regex_match(s.value, kSysctlValue))
        f::fail(where, field + ".value", "expected integers as /proc/sys takes them, e.g. \"0\" or \"4096 87380 6291456\"");
      if (setting.contains("if_present")) {
        if (!setting["if_present"].is_boolean()) f::fail(where, field + ".if_present", "expected true or false");
        s.if_present = setting["if_present"].get<bool>();
      }
      p.sysctls.push_back(std::move(s));
    }
  }
  if (e.contains("route")) {
    const json& all = f::object(e, "route", where, "");
    for (const auto& [name, option] : all.items()) {
      const std::string field = "route." + name;
      if (name != "rto_min") f::fail(where, field, "unknown route option (known: rto_min)");
      if (!option.is_object()) f::fail(where, field, "expected {\"value\": \"1s\", \"why\": \"...\"}");
      f::only_keys(option, {"value", "why"}, where, field);
      RouteOption r{name, f::string(option, "value", where, field), why_of(option, where, field)};
      if (!std::regex_match(r.value, kRouteTime)) f::fail(where, field + ".value", "expected a time like \"1s\" or \"200ms\"");
      p.route.push_back(std::move(r));
    }
  }
  return p;
}

}  // namespace wireproof::registry
