#include "harness/scenario/text_checks.hpp"

namespace wireproof::scenario {

namespace {

// Length of the well-formed UTF-8 sequence at s[i], or 0 if it is not one.
// Ranges from RFC 3629 section 4 (the UTF8-octets grammar).
std::size_t sequence_length(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k) -> unsigned { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0x100; };
  auto tail = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) { return at(k) >= lo && at(k) <= hi; };
  unsigned b = at(0);
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return tail(1) ? 2 : 0;
  if (b == 0xE0) return tail(1, 0xA0) && tail(2) ? 3 : 0;
  if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) return tail(1) && tail(2) ? 3 : 0;
  if (b == 0xED) return tail(1, 0x80, 0x9F) && tail(2) ? 3 : 0;  // no UTF-16 surrogates
  if (b == 0xF0) return tail(1, 0x90) && tail(2) && tail(3) ? 4 : 0;
  if (b >= 0xF1 && b <= 0xF3) return tail(1) && tail(2) && tail(3) ? 4 : 0;
  if (b == 0xF4) return tail(1, 0x80, 0x8F) && tail(2) && tail(3) ? 4 : 0;
  return 0;
}

}  // namespace

std::optional<InvalidByte> first_invalid_utf8(std::string_view text) {
  int line = 0, column = 0;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = sequence_length(text, i);
    if (n == 0) {
      YAML::Mark m;
      m.pos = static_cast<int>(i);
      m.line = line;
      m.column = column;
      return InvalidByte{m, static_cast<unsigned char>(text[i])};
    }
    if (text[i] == '\n') ++line, column = 0;
    else ++column;  // one column per character, as yaml-cpp counts
    i += n;
  }
  return std::nullopt;
}

}  // namespace wireproof::scenario
