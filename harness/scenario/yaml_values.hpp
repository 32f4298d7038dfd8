// Typed reading of YAML scalars with our own rules (yaml-cpp's as<int> reads
// "010" as octal and accepts quoted numbers): plain decimal or 0x-hex
// integers, finite decimals, YAML 1.1 booleans. Quoted scalars are strings.
// Internal to harness/scenario.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace wireproof::scenario {

std::optional<std::int64_t> parse_integer(const YAML::Node& n);
std::optional<double> parse_number(const YAML::Node& n);
std::optional<bool> parse_boolean(const YAML::Node& n);
bool is_plain_null(const YAML::Node& n);

// For messages: "'abc'", "a mapping", "a list", "nothing".
std::string describe_value(const YAML::Node& n);

// Converts a YAML value to JSON with the scalar rules above.
nlohmann::json to_json(const YAML::Node& n);

}  // namespace wireproof::scenario
