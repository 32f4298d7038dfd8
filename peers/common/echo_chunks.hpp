// The echo workload's data (peers/CONTRACT.md, "Workload"): how the stream is
// cut into chunks, what each chunk's bytes are, and a digest over unique
// chunks in index order that tolerates arrival out of order and duplicates.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "peers/common/sha256.hpp"

namespace wireproof::peers {

constexpr std::size_t kChunkHeaderBytes = 8;  // big-endian chunk index

// echo_bytes of pattern, chunk pattern bytes per record (the last one shorter).
struct ChunkPlan {
  std::uint64_t echo_bytes = 0;
  std::uint32_t chunk = 1000;

  std::uint64_t count() const { return chunk == 0 ? 0 : (echo_bytes + chunk - 1) / chunk; }
  // Every record back to back, headers included: a byte stream's (TCP's) length.
  std::uint64_t stream_bytes() const { return echo_bytes + count() * kChunkHeaderBytes; }
  std::uint32_t pattern_bytes(std::uint64_t index) const;
};

// One record: 8-byte index, then payload[k] = (index * 131 + k) & 0xff.
std::vector<std::uint8_t> make_chunk(std::uint64_t index, std::uint32_t pattern_bytes);

// The chunk index at the start of a record; nullopt when it is too short.
std::optional<std::uint64_t> chunk_index(std::span<const std::uint8_t> record);

// SHA-256 over records concatenated in index order, each index counted once.
// Records may arrive in any order; out-of-order ones wait in memory until the
// gap before them fills (bounded by the client's window in practice).
class OrderedDigest {
 public:
  // false (and nothing hashed) when this index was already added.
  bool add(std::uint64_t index, std::span<const std::uint8_t> record);
  bool contains(std::uint64_t index) const { return index < next_ || pending_.contains(index); }
  std::uint64_t unique() const { return unique_; }
  // Hash of everything added, in index order, gaps skipped.
  std::string hex() const;

 private:
  Sha256 hash_;
  std::uint64_t next_ = 0;  // every index below this is hashed
  std::map<std::uint64_t, std::vector<std::uint8_t>> pending_;
  std::uint64_t unique_ = 0;
};

// The digest a complete, correct transfer of plan has.
std::string expected_digest(const ChunkPlan& plan);

}  // namespace wireproof::peers
