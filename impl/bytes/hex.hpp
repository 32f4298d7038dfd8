// Hex digits to bytes, one implementation for every reader of hex text (key
// logs, framed lines, ...): nullopt on an odd length or a non-hex digit.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace wireproof::bytes {

// lower_only: a format whose canonical form is lowercase refuses A-F.
enum class HexCase { any, lower_only };

// 0-15 for a hex digit, -1 otherwise.
constexpr int hex_value(char c, HexCase accept = HexCase::any) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (accept == HexCase::any && c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline std::optional<std::vector<std::uint8_t>> parse_hex(std::string_view hex, HexCase accept = HexCase::any) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::vector<std::uint8_t> out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i], accept), lo = hex_value(hex[i + 1], accept);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return out;
}

}  // namespace wireproof::bytes
