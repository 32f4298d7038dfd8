#include "peers/common/echo_chunks.hpp"

#include <algorithm>

#include "impl/bytes/reader.hpp"
#include "impl/bytes/writer.hpp"

namespace wireproof::peers {

std::uint32_t ChunkPlan::pattern_bytes(std::uint64_t index) const {
  std::uint64_t start = index * chunk;
  if (start >= echo_bytes) return 0;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(chunk, echo_bytes - start));
}

std::vector<std::uint8_t> make_chunk(std::uint64_t index, std::uint32_t pattern_bytes) {
  bytes::Writer w;
  w.put_u64(index);
  for (std::uint32_t k = 0; k < pattern_bytes; ++k) w.put_u8(static_cast<std::uint8_t>((index * 131 + k) & 0xff));
  return w.take();
}

std::optional<std::uint64_t> chunk_index(std::span<const std::uint8_t> record) {
  bytes::Reader r(record);
  std::uint64_t index = 0;
  if (!r.get_u64(index)) return std::nullopt;
  return index;
}

bool OrderedDigest::add(std::uint64_t index, std::span<const std::uint8_t> record) {
  if (contains(index)) return false;
  ++unique_;
  if (index != next_) {
    pending_.emplace(index, std::vector<std::uint8_t>(record.begin(), record.end()));
    return true;
  }
  hash_.update(record);
  ++next_;
  // Drain whatever the new record made contiguous.
  for (auto it = pending_.begin(); it != pending_.end() && it->first == next_; it = pending_.erase(it)) {
    hash_.update(it->second);
    ++next_;
  }
  return true;
}

std::string OrderedDigest::hex() const {
  if (pending_.empty()) return hash_.hex();
  Sha256 copy = hash_;
  for (const auto& [index, record] : pending_) copy.update(record);
  return copy.hex();
}

std::string expected_digest(const ChunkPlan& plan) {
  Sha256 h;
  for (std::uint64_t i = 0; i < plan.count(); ++i) h.update(make_chunk(i, plan.pattern_bytes(i)));
  return h.hex();
}

}  // namespace wireproof::peers
