#include "peers/common/line_frame.hpp"

#include <boost/crc.hpp>

#include "impl/bytes/hex.hpp"

#include <algorithm>
#include <stdexcept>

namespace wireproof::peers {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_hex(std::string& out, std::uint8_t b) {
  out += kHex[b >> 4];
  out += kHex[b & 0xf];
}

// Uppercase is not canonical, so not accepted.
std::optional<std::vector<std::uint8_t>> parse_hex(std::string_view hex) {
  return bytes::parse_hex(hex, bytes::HexCase::lower_only);
}

}  // namespace

std::size_t max_pattern_bytes(std::size_t requested, std::optional<int> mtu) {
  constexpr int kRecordBudget = 28 + 13 + 80;
  std::size_t line_cap = kMaxLineBytes;
  if (mtu) line_cap = std::min<std::size_t>(line_cap, static_cast<std::size_t>(std::max(*mtu - kRecordBudget, 0)));
  const std::size_t chunk_cap = line_cap > kLineOverhead ? (line_cap - kLineOverhead) / 2 : 0;
  const std::size_t pattern_cap = chunk_cap > 8 ? chunk_cap - 8 : 1;
  return std::max<std::size_t>(1, std::min(requested, pattern_cap));
}

std::uint32_t crc32(std::span<const std::uint8_t> bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

std::string encode_line(std::span<const std::uint8_t> chunk) {
  if (chunk.size() > kMaxChunkBytes)
    throw std::length_error("a chunk of " + std::to_string(chunk.size()) + " bytes does not fit one " +
                            std::to_string(kMaxLineBytes) + "-byte line (max " + std::to_string(kMaxChunkBytes) + ")");
  std::string line = "WP ";
  for (auto b : chunk) append_hex(line, b);
  line += ' ';
  const std::uint32_t crc = crc32(chunk);
  for (int shift = 24; shift >= 0; shift -= 8) append_hex(line, static_cast<std::uint8_t>(crc >> shift));
  line += '\n';
  return line;
}

std::optional<std::vector<std::uint8_t>> decode_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const auto start = line.rfind("WP ");
  if (start == std::string_view::npos) return std::nullopt;
  std::string_view frame = line.substr(start + 3);
  const auto space = frame.find(' ');
  if (space == std::string_view::npos || frame.size() - space - 1 != 8) return std::nullopt;
  auto chunk = parse_hex(frame.substr(0, space));
  auto crc_bytes = parse_hex(frame.substr(space + 1));
  if (!chunk || !crc_bytes || chunk->empty()) return std::nullopt;
  std::uint32_t crc = 0;
  for (auto b : *crc_bytes) crc = crc << 8 | b;
  if (crc != crc32(*chunk)) return std::nullopt;
  return chunk;
}

std::optional<std::vector<std::uint8_t>> decode_line_record(std::span<const std::uint8_t> record) {
  const std::string_view text(reinterpret_cast<const char*>(record.data()), record.size());
  if (text.size() < 2 || text.back() != '\n' || text.size() > kMaxLineBytes) return std::nullopt;
  auto chunk = decode_line(text.substr(0, text.size() - 1));
  // decode_line is lenient for tool output (prefixes, '\r'); a record must be the canonical line.
  if (!chunk || chunk->size() > kMaxChunkBytes || encode_line(*chunk) != text) return std::nullopt;
  return chunk;
}

std::vector<std::string> LineSplitter::feed(std::string_view bytes) {
  std::vector<std::string> lines;
  for (char c : bytes) {
    if (c == '\n') {
      if (!discarding_) lines.push_back(std::move(partial_));
      partial_.clear();
      discarding_ = false;
      continue;
    }
    if (discarding_) continue;
    partial_ += c;
    if (partial_.size() > max_line_) {
      partial_.clear();
      discarding_ = true;
    }
  }
  return lines;
}

std::string LineSplitter::take_rest() {
  std::string rest = discarding_ ? std::string{} : std::move(partial_);
  partial_.clear();
  discarding_ = false;
  return rest;
}

}  // namespace wireproof::peers
