// Reads one YAML mapping of the scenario format. On construction it reports
// keys the mapping may not hold (with a did-you-mean) and duplicated keys;
// its getters report missing keys, wrong types and out-of-range values.
// Every getter returns nullopt on a problem, so loading continues and all
// problems of a file are reported together. Internal to harness/scenario.
//
//   MapReader link(node["link"], "in link", {"mtu", "delay_ms"}, diag);
//   if (auto mtu = link.integer("mtu", {68, 65535})) sc.link.mtu = *mtu;
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "harness/scenario/diagnostics.hpp"

namespace wireproof::scenario {

// An allowed range: [min, max], or > min when min_exclusive; no max = unbounded.
struct Bounds {
  constexpr Bounds(double min_value, std::optional<double> max_value = std::nullopt, bool exclusive = false)
      : min(min_value), max(max_value), min_exclusive(exclusive) {}
  double min = 0;
  std::optional<double> max;
  bool min_exclusive = false;
};

class MapReader {
 public:
  // `where` names the mapping in messages: "at top level", "in rule 'x'".
  // A null/absent node reads as an empty mapping.
  MapReader(const YAML::Node& node, std::string where, std::vector<std::string_view> allowed,
            Diagnostics& diag);

  bool is_map() const { return is_map_; }
  bool has(std::string_view key) const;
  YAML::Node get(std::string_view key) const;  // undefined node if absent
  YAML::Mark mark() const { return node_.Mark(); }
  YAML::Mark key_mark(std::string_view key) const;
  const std::string& where() const { return where_; }
  Diagnostics& diagnostics() const { return diag_; }  // for readers of nested mappings

  // Reports each absent key as missing.
  void require(std::initializer_list<std::string_view> keys) const;

  std::optional<std::int64_t> integer(std::string_view key, Bounds bounds) const;
  std::optional<double> number(std::string_view key, Bounds bounds) const;
  std::optional<bool> boolean(std::string_view key) const;
  std::optional<std::string> string(std::string_view key) const;
  // A list of strings (also accepts a single string).
  std::optional<std::vector<std::string>> strings(std::string_view key) const;

  // Reports `message` at the value of `key` (or the mapping when absent).
  void error_at(std::string_view key, std::string message) const;
  // Reports `message` at `key` itself (for keys that do not belong).
  void error_at_key(std::string_view key, std::string message) const;

 private:
  const YAML::Node* find(std::string_view key) const;
  bool check_range(std::string_view key, double value, const Bounds& b) const;

  YAML::Node node_;
  std::string where_;
  Diagnostics& diag_;
  bool is_map_ = false;
  std::vector<std::pair<YAML::Node, YAML::Node>> entries_;  // allowed keys, first occurrence
};

}  // namespace wireproof::scenario
