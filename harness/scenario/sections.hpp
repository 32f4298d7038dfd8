// Readers for the parts of a scenario document, shared by loader.cpp.
// Each reports its problems to Diagnostics and returns what it could read.
// Internal to harness/scenario.
#pragma once

#include <vector>

#include <yaml-cpp/yaml.h>

#include "harness/scenario/diagnostics.hpp"
#include "harness/scenario/map_reader.hpp"
#include "harness/scenario/model.hpp"

namespace wireproof::scenario {

// Keys of a datagram match (rules' `match:` and timeline `on:`).
std::vector<std::string_view> match_keys();
// Reads the match keys present in `m` (other keys are the caller's).
Match read_match(const MapReader& m);
// Reads `key` as c2s | s2c | both (default both).
Direction read_direction(const MapReader& m, std::string_view key);

std::vector<Rule> read_rules(const YAML::Node& node, Diagnostics& diag);
std::vector<TimelineEntry> read_timeline(const YAML::Node& node, const std::vector<Rule>& rules,
                                         Diagnostics& diag);
Expectations read_expect(const YAML::Node& node, Diagnostics& diag);

}  // namespace wireproof::scenario
