// Checks on a scenario file's raw text, before YAML parsing: its size and its
// encoding. Internal to harness/scenario.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <yaml-cpp/yaml.h>

namespace wireproof::scenario {

// The largest scenario file accepted. Shipped scenarios are < 4 KiB.
inline constexpr std::uintmax_t kMaxScenarioBytes = 1024 * 1024;

struct InvalidByte {
  YAML::Mark mark;     // 0-based line and column (one column per character, as yaml-cpp counts) of the byte
  unsigned char byte;  // the first byte that breaks the UTF-8 sequence
};

// The first byte that is not part of a well-formed UTF-8 sequence (RFC 3629:
// no overlongs, no surrogates, nothing above U+10FFFF), or nullopt.
std::optional<InvalidByte> first_invalid_utf8(std::string_view text);

}  // namespace wireproof::scenario
