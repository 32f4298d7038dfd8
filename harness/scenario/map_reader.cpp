#include "harness/scenario/map_reader.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "harness/scenario/yaml_values.hpp"

namespace wireproof::scenario {

MapReader::MapReader(const YAML::Node& node, std::string where, std::vector<std::string_view> allowed,
                     Diagnostics& diag)
    : node_(node), where_(std::move(where)), diag_(diag) {
  if (!node.IsDefined() || is_plain_null(node)) {
    is_map_ = true;  // absent or empty: nothing given, defaults apply
    return;
  }
  if (!node.IsMap()) {
    diag_.error(node.Mark(), fmt::format("expected a mapping {}, got {}", where_, describe_value(node)));
    return;
  }
  is_map_ = true;
  std::vector<std::string> seen;
  for (const auto& kv : node) {
    const std::string& key = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      auto hint = did_you_mean(key, allowed);
      if (hint.empty()) hint = fmt::format(" (expected one of {})", join_names(allowed));
      diag_.error(kv.first.Mark(), fmt::format("unknown key '{}' {}{}", key, where_, hint));
      continue;
    }
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      diag_.error(kv.first.Mark(), fmt::format("duplicate key '{}' {}", key, where_));
      continue;
    }
    seen.push_back(key);
    entries_.emplace_back(kv.first, kv.second);
  }
}

const YAML::Node* MapReader::find(std::string_view key) const {
  for (const auto& [k, v] : entries_)
    if (k.Scalar() == key) return &v;
  return nullptr;
}

bool MapReader::has(std::string_view key) const { return find(key) != nullptr; }

YAML::Node MapReader::get(std::string_view key) const {
  if (const auto* v = find(key)) return *v;
  return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Mark MapReader::key_mark(std::string_view key) const {
  for (const auto& [k, v] : entries_)
    if (k.Scalar() == key) return k.Mark();
  return node_.Mark();
}

void MapReader::error_at(std::string_view key, std::string message) const {
  const auto* v = find(key);
  // A missing value (`key:` alone) has no useful mark of its own: point at the key.
  YAML::Mark at = v && !v->IsNull() ? v->Mark() : key_mark(key);
  diag_.error(at, std::move(message));
}

void MapReader::error_at_key(std::string_view key, std::string message) const {
  diag_.error(key_mark(key), std::move(message));
}

void MapReader::require(std::initializer_list<std::string_view> keys) const {
  if (!node_.IsDefined() || !is_map_) return;
  for (auto key : keys)
    if (!has(key)) diag_.error(node_.Mark(), fmt::format("missing required key '{}' {}", key, where_));
}

bool MapReader::check_range(std::string_view key, double value, const Bounds& b) const {
  bool below = b.min_exclusive ? value <= b.min : value < b.min;
  bool above = b.max && value > *b.max;
  if (!below && !above) return true;
  std::string got = find(key)->Scalar();
  if (b.max)
    error_at(key, fmt::format("{} must be in {}{}, {}], got {}", key, b.min_exclusive ? "(" : "[", b.min, *b.max, got));
  else
    error_at(key, fmt::format("{} must be {} {}, got {}", key, b.min_exclusive ? ">" : ">=", b.min, got));
  return false;
}

std::optional<std::int64_t> MapReader::integer(std::string_view key, Bounds bounds) const {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  auto i = parse_integer(*v);
  if (!i) {
    error_at(key, fmt::format("{} must be an integer, got {}", key, describe_value(*v)));
    return std::nullopt;
  }
  if (!check_range(key, static_cast<double>(*i), bounds)) return std::nullopt;
  return i;
}

std::optional<double> MapReader::number(std::string_view key, Bounds bounds) const {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  auto d = parse_number(*v);
  if (!d) {
    error_at(key, fmt::format("{} must be a number, got {}", key, describe_value(*v)));
    return std::nullopt;
  }
  if (!check_range(key, *d, bounds)) return std::nullopt;
  return d;
}

std::optional<bool> MapReader::boolean(std::string_view key) const {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  auto b = parse_boolean(*v);
  if (!b) error_at(key, fmt::format("{} must be true or false, got {}", key, describe_value(*v)));
  return b;
}

std::optional<std::string> MapReader::string(std::string_view key) const {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  if (!v->IsScalar() || is_plain_null(*v)) {
    error_at(key, fmt::format("{} must be a string, got {}", key, describe_value(*v)));
    return std::nullopt;
  }
  return v->Scalar();
}

std::optional<std::vector<std::string>> MapReader::strings(std::string_view key) const {
  const auto* v = find(key);
  if (!v) return std::nullopt;
  if (v->IsScalar() && !is_plain_null(*v)) return std::vector<std::string>{v->Scalar()};
  if (!v->IsSequence()) {
    error_at(key, fmt::format("{} must be a list of strings, got {}", key, describe_value(*v)));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const auto& item : *v) {
    if (!item.IsScalar() || is_plain_null(item)) {
      diag_.error(item.Mark(), fmt::format("{} must be a list of strings, got {} in it", key, describe_value(item)));
      ok = false;
      continue;
    }
    out.push_back(item.Scalar());
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace wireproof::scenario
