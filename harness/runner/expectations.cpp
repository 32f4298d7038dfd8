#include "harness/runner/expectations.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "harness/checks/check.hpp"

namespace wireproof::runner {

namespace {

std::string at(const std::string& name, const YAML::Mark& m) {
  return name + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

bool matches(const std::string& pattern, const std::string& value) { return pattern == "*" || pattern == value; }

// Leading dotted numbers of a version: "3.0.19-1~deb12u1" -> {3, 0, 19}.
std::vector<unsigned> version_numbers(const std::string& text) {
  std::vector<unsigned> out;
  std::size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    unsigned v = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) v = v * 10 + unsigned(text[i++] - '0');
    out.push_back(v);
    if (i + 1 < text.size() && text[i] == '.' && std::isdigit(static_cast<unsigned char>(text[i + 1]))) ++i;
    else break;
  }
  return out;
}

// Compares as if the shorter were padded with zeros: 3.8 == 3.8.0.
int compare_versions(std::vector<unsigned> a, std::vector<unsigned> b) {
  a.resize(std::max(a.size(), b.size()));
  b.resize(a.size());
  return a < b ? -1 : a > b ? 1 : 0;
}

std::vector<VersionBound> parse_version_range(const std::string& text, const std::string& where) {
  std::vector<VersionBound> out;
  std::istringstream words(text);
  std::string w;
  while (words >> w) {
    std::size_t op_len = w.find_first_of("0123456789");
    VersionBound b{w.substr(0, op_len == std::string::npos ? w.size() : op_len), {}};
    if (b.op.empty()) b.op = "=";
    std::string number = op_len == std::string::npos ? "" : w.substr(op_len);
    b.version = version_numbers(number);
    const bool known_op = b.op == ">=" || b.op == ">" || b.op == "<=" || b.op == "<" || b.op == "=";
    if (!known_op || b.version.empty() || fmt::format("{}", fmt::join(b.version, ".")) != number)
      throw std::runtime_error(where + ": version '" + text + "': '" + w +
                               "' is not a comparison like >=3.7.9 or <3.8 (operators >= > <= < =)");
    out.push_back(std::move(b));
  }
  if (out.empty()) throw std::runtime_error(where + ": version is empty (write e.g. \">=3.7.9 <3.8\")");
  return out;
}

const std::pair<std::string, bool>* find_check(const ExpectationNames& names, const std::string& check) {
  for (const auto& c : names.checks)
    if (c.first == check) return &c;
  return nullptr;
}

std::string known_list(const std::vector<std::string>& names) { return fmt::format("{}", fmt::join(names, ", ")); }

}  // namespace

bool version_in_range(const std::string& reported, const std::vector<VersionBound>& bounds) {
  const auto v = version_numbers(reported);
  if (v.empty()) return false;
  for (const auto& b : bounds) {
    int c = compare_versions(v, b.version);
    bool ok = b.op == ">=" ? c >= 0 : b.op == ">" ? c > 0 : b.op == "<=" ? c <= 0 : b.op == "<" ? c < 0 : c == 0;
    if (!ok) return false;
  }
  return true;
}

bool Expectations::covers_cell(const KnownFailure& e, const CellIdentity& cell) {
  if (!matches(e.scenario, cell.scenario) || !matches(e.client, cell.client) || !matches(e.server, cell.server))
    return false;
  if (!e.client_version.empty() && !version_in_range(cell.client_version, e.client_version)) return false;
  if (!e.server_version.empty() && !version_in_range(cell.server_version, e.server_version)) return false;
  return true;
}

const KnownFailure* Expectations::known_failure(const CellIdentity& cell, const FailedCheck& failed) const {
  for (const auto& e : entries) {
    if (e.check != failed.name || !covers_cell(e, cell)) continue;
    // A pinned direction covers a check that failed in that direction only:
    // a failure of the other side too is not this finding.
    if (e.dir && failed.dirs != std::set<std::string>{*e.dir}) continue;
    if (e.detail && failed.detail.find(*e.detail) == std::string::npos) continue;
    return &e;
  }
  return nullptr;
}

std::vector<const KnownFailure*> Expectations::unmatched(const std::vector<CellIdentity>& ran,
                                                         const std::set<std::string>& matched) const {
  std::vector<const KnownFailure*> out;
  for (const auto& e : entries) {
    if (matched.count(e.where)) continue;
    if (std::any_of(ran.begin(), ran.end(), [&](const CellIdentity& c) {
          return covers_cell(e, c) && (!c.judged_checks || c.judged_checks->count(e.check) > 0);
        }))
      out.push_back(&e);
  }
  return out;
}

ExpectationNames expectation_names(std::vector<std::string> peers) {
  ExpectationNames n;
  for (const auto& c : checks::all_checks()) n.checks.emplace_back(c->name(), c->judges_per_direction());
  n.peers = std::move(peers);
  return n;
}

Expectations parse_expectations(const std::string& text, const std::string& name, const ExpectationNames& names) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(at(name, e.mark) + ": " + e.msg);
  }
  Expectations out;
  if (!root || root.IsNull()) return out;
  if (!root.IsSequence()) throw std::runtime_error(at(name, root.Mark()) + ": expected a list of known failures");
  static const std::vector<std::string> keys{"scenario", "client", "server",         "check",         "dir",
                                             "detail",   "version", "client_version", "server_version", "reason"};
  std::vector<std::string> check_names;
  for (const auto& c : names.checks) check_names.push_back(c.first);
  for (const auto& item : root) {
    if (!item.IsMap()) throw std::runtime_error(at(name, item.Mark()) + ": each known failure is a mapping");
    KnownFailure k;
    k.where = at(name, item.Mark());
    std::optional<std::pair<std::string, std::vector<VersionBound>>> version;  // `version`, assigned below
    for (const auto& kv : item) {
      auto key = kv.first.as<std::string>();
      const std::string where = at(name, kv.second.Mark());
      if (std::find(keys.begin(), keys.end(), key) == keys.end())
        throw std::runtime_error(at(name, kv.first.Mark()) + ": unknown key '" + key + "' (expected " +
                                 known_list(keys) + ")");
      if (!kv.second.IsScalar()) throw std::runtime_error(where + ": '" + key + "' must be a string");
      auto v = kv.second.as<std::string>();
      if (key == "client" || key == "server") {
        if (v != "*" && std::find(names.peers.begin(), names.peers.end(), v) == names.peers.end())
          throw std::runtime_error(where + ": unknown peer '" + v + "' (registered: " + known_list(names.peers) + ")");
        (key == "client" ? k.client : k.server) = v;
      } else if (key == "check") {
        if (!find_check(names, v))
          throw std::runtime_error(where + ": unknown check '" + v + "' (known checks: " + known_list(check_names) +
                                   ")");
        k.check = v;
      } else if (key == "dir") {
        if (v != "c2s" && v != "s2c") throw std::runtime_error(where + ": dir must be c2s or s2c, got '" + v + "'");
        k.dir = v;
      } else if (key == "version") {
        version.emplace(where, parse_version_range(v, where));
      } else if (key == "client_version") {
        k.client_version = parse_version_range(v, where);
      } else if (key == "server_version") {
        k.server_version = parse_version_range(v, where);
      } else if (key == "scenario") k.scenario = v;
      else if (key == "detail") k.detail = v;
      else k.reason = v;
    }
    if (!item["scenario"]) throw std::runtime_error(k.where + ": a known failure needs 'scenario'");
    if (k.check.empty()) throw std::runtime_error(k.where + ": a known failure needs 'check' (the check that fails)");
    if (k.reason.empty()) throw std::runtime_error(k.where + ": a known failure needs a 'reason' (say why it fails)");
    if (!k.client_version.empty() && k.client == "*")
      throw std::runtime_error(k.where + ": 'client_version' needs a named 'client'");
    if (!k.server_version.empty() && k.server == "*")
      throw std::runtime_error(k.where + ": 'server_version' needs a named 'server'");
    if (version) {
      // `version` is about the one peer the entry names; with both, say which.
      if ((k.client == "*") == (k.server == "*"))
        throw std::runtime_error(version->first + ": 'version' applies to the one peer an entry names; " +
                                 (k.client == "*" ? "name a client or a server"
                                                  : "with both named, write client_version and/or server_version"));
      (k.client != "*" ? k.client_version : k.server_version) = std::move(version->second);
    }
    if (k.dir && !find_check(names, k.check)->second)
      throw std::runtime_error(k.where + ": check '" + k.check +
                               "' judges the whole run, not one direction: 'dir' does not apply (remove it)");
    if (k.scenario == "*" && !k.dir && find_check(names, k.check)->second)
      throw std::runtime_error(k.where + ": scenario \"*\" with check '" + k.check +
                               "', which judges each direction, needs 'dir' (c2s or s2c): otherwise it also hides "
                               "the other peer's failures in every scenario");
    out.entries.push_back(std::move(k));
  }
  return out;
}

Expectations load_expectations(const std::string& path, const ExpectationNames& names) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open expectations file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_expectations(ss.str(), path, names);
}

}  // namespace wireproof::runner
