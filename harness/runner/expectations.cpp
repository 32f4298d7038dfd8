#include "harness/runner/expectations.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

namespace wireproof::runner {

static std::string at(const std::string& name, const YAML::Mark& m) {
  return name + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

static bool matches(const std::string& pattern, const std::string& value) {
  return pattern == "*" || pattern == value;
}

std::optional<std::string> Expectations::known_failure(const std::string& scenario, const std::string& client,
                                                       const std::string& server, const std::string& check) const {
  for (const auto& e : entries)
    if (matches(e.scenario, scenario) && matches(e.client, client) && matches(e.server, server) &&
        matches(e.check, check))
      return e.reason;
  return std::nullopt;
}

Expectations parse_expectations(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(at(name, e.mark) + ": " + e.msg);
  }
  Expectations out;
  if (!root || root.IsNull()) return out;
  if (!root.IsSequence()) throw std::runtime_error(at(name, root.Mark()) + ": expected a list of known failures");
  static const std::set<std::string> keys{"scenario", "client", "server", "check", "reason"};
  for (const auto& item : root) {
    if (!item.IsMap()) throw std::runtime_error(at(name, item.Mark()) + ": each known failure is a mapping");
    KnownFailure k;
    k.where = at(name, item.Mark());
    for (const auto& kv : item) {
      auto key = kv.first.as<std::string>();
      if (!keys.count(key))
        throw std::runtime_error(at(name, kv.first.Mark()) + ": unknown key '" + key +
                                 "' (expected scenario, client, server, check, reason)");
      if (!kv.second.IsScalar())
        throw std::runtime_error(at(name, kv.second.Mark()) + ": '" + key + "' must be a string");
      auto v = kv.second.as<std::string>();
      if (key == "scenario") k.scenario = v;
      else if (key == "client") k.client = v;
      else if (key == "server") k.server = v;
      else if (key == "check") k.check = v;
      else k.reason = v;
    }
    if (!item["scenario"]) throw std::runtime_error(k.where + ": a known failure needs 'scenario'");
    if (k.reason.empty()) throw std::runtime_error(k.where + ": a known failure needs a 'reason' (say why it fails)");
    out.entries.push_back(std::move(k));
  }
  return out;
}

Expectations load_expectations(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open expectations file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_expectations(ss.str(), path);
}

}  // namespace wireproof::runner
