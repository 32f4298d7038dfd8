// The workload's line framing (`--framing lines`, peers/CONTRACT.md): the
// wire format stock tools need, and shims use when paired with one. Stock
// tools move bytes between
// their stdin/stdout and the DTLS connection, so a lost record loses bytes
// in the middle of a stream. Each workload chunk (8-byte index + pattern,
// peers/common/echo_chunks.hpp) therefore travels as one self-checking text
// line that a reader can resynchronise on:
//
//   WP <chunk as lowercase hex> <crc32 of the chunk, 8 lowercase hex>\n
//
// A line that is truncated, merged with a fragment of another, or altered is
// rejected (the client resends that chunk). Hex never contains 'W', so the
// last "WP " in a line starts the only candidate frame, and any prefix a
// tool adds to the line ("*** Processing 57 bytes command: ") is skipped.
//
// Digests are still taken over the binary chunks, exactly as the contract
// defines them, so they compare equal to a shim's for the same workload.
// A shim reads records, not a stream: decode_line_record() is the strict
// form for that (one record = exactly one line, nothing around it).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wireproof::peers {

// gnutls-serv's UDP echo reads at most 254 bytes per record (MAX_BUFFER 255,
// one kept for a NUL): the longest line, newline included, any server echoes whole.
constexpr std::size_t kMaxLineBytes = 254;
// "WP " + hex + " " + 8 crc hex + "\n"
constexpr std::size_t kLineOverhead = 3 + 1 + 8 + 1;
// Largest chunk (index included) whose line fits kMaxLineBytes: 120 bytes.
constexpr std::size_t kMaxChunkBytes = (kMaxLineBytes - kLineOverhead) / 2;

// Pattern bytes per chunk (index excluded) such that one line fits one DTLS
// record in one datagram at this IP-layer MTU: 28 bytes of IPv4+UDP, 13 of
// record header and at most 80 of cipher expansion (CBC IV, SHA-384 MAC,
// padding). Both ends compute it from the same --chunk and --mtu.
std::size_t max_pattern_bytes(std::size_t requested, std::optional<int> mtu);

std::uint32_t crc32(std::span<const std::uint8_t> bytes);

// The chunk as one line, '\n' included. Throws std::length_error when the
// line would exceed kMaxLineBytes.
std::string encode_line(std::span<const std::uint8_t> chunk);

// The chunk a line carries (line without its '\n'; a trailing '\r' is
// tolerated), or nullopt when the line holds no intact frame.
std::optional<std::vector<std::uint8_t>> decode_line(std::string_view line);

// The chunk a record carries when it is exactly one line as encode_line()
// writes it (no prefix, no '\r', one '\n' at the end); nullopt otherwise.
std::optional<std::vector<std::uint8_t>> decode_line_record(std::span<const std::uint8_t> record);

// Splits a byte stream into lines: feed() what a read returned, get the
// complete lines (without '\n'). A partial last line waits for the next feed;
// one longer than max_line is dropped up to its '\n' (it cannot be a frame).
class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line = 64 * 1024) : max_line_(max_line) {}
  std::vector<std::string> feed(std::string_view bytes);
  // What remains without a newline (at end of stream).
  std::string take_rest();

 private:
  std::size_t max_line_;
  std::string partial_;
  bool discarding_ = false;
};

}  // namespace wireproof::peers
