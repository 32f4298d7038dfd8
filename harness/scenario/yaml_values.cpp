#include "harness/scenario/yaml_values.hpp"

#include <charconv>
#include <cmath>
#include <string_view>

namespace wireproof::scenario {

namespace {

// A scalar written without quotes (yaml-cpp tags quoted scalars "!").
bool is_plain_scalar(const YAML::Node& n) { return n.IsScalar() && n.Tag() == "?"; }

template <typename T>
bool parse_all(std::string_view s, T& out, int base) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::optional<std::int64_t> parse_integer(const YAML::Node& n) {
  if (!is_plain_scalar(n)) return std::nullopt;
  std::string_view s = n.Scalar();
  bool negative = !s.empty() && s.front() == '-';
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2), base = 16;
  std::int64_t v = 0;
  if (s.empty() || s.front() == '-' || s.front() == '+' || !parse_all(s, v, base)) return std::nullopt;
  return negative ? -v : v;
}

std::optional<double> parse_number(const YAML::Node& n) {
  if (auto i = parse_integer(n)) return static_cast<double>(*i);
  if (!is_plain_scalar(n)) return std::nullopt;
  std::string_view s = n.Scalar();
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<bool> parse_boolean(const YAML::Node& n) {
  if (!is_plain_scalar(n)) return std::nullopt;
  const std::string& s = n.Scalar();
  for (const char* t : {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})
    if (s == t) return true;
  for (const char* f : {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})
    if (s == f) return false;
  return std::nullopt;
}

bool is_plain_null(const YAML::Node& n) {
  if (n.IsNull()) return true;
  return is_plain_scalar(n) && (n.Scalar() == "~" || n.Scalar() == "null" || n.Scalar() == "Null" ||
                                n.Scalar() == "NULL");
}

std::string describe_value(const YAML::Node& n) {
  if (!n.IsDefined() || is_plain_null(n)) return "nothing";
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a list";
  if (!is_plain_scalar(n)) return "the string '" + n.Scalar() + "'";
  return "'" + n.Scalar() + "'";
}

nlohmann::json to_json(const YAML::Node& n) {
  if (!n.IsDefined() || is_plain_null(n)) return nullptr;
  if (n.IsMap()) {
    auto obj = nlohmann::json::object();
    for (const auto& kv : n) obj[kv.first.Scalar()] = to_json(kv.second);
    return obj;
  }
  if (n.IsSequence()) {
    auto arr = nlohmann::json::array();
    for (const auto& item : n) arr.push_back(to_json(item));
    return arr;
  }
  if (auto b = parse_boolean(n)) return *b;
  if (auto i = parse_integer(n)) return *i;
  if (auto d = parse_number(n)) return *d;
  return n.Scalar();
}

}  // namespace wireproof::scenario
