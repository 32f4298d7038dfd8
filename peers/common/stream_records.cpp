#include "peers/common/stream_records.hpp"

#include <algorithm>

namespace wireproof::peers {

std::size_t StreamRecords::next_size() const {
  if (plan_.echo_bytes == 0 || next_ >= plan_.count()) return kChunkHeaderBytes + plan_.chunk;
  return kChunkHeaderBytes + plan_.pattern_bytes(next_);
}

std::vector<std::vector<std::uint8_t>> StreamRecords::feed(std::span<const std::uint8_t> bytes) {
  std::vector<std::vector<std::uint8_t>> out;
  while (!bytes.empty()) {
    const std::size_t want = next_size() - partial_.size();
    const std::size_t take = std::min(want, bytes.size());
    partial_.insert(partial_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
    bytes = bytes.subspan(take);
    if (partial_.size() == next_size()) {
      out.push_back(std::move(partial_));
      partial_.clear();
      ++next_;
    }
  }
  return out;
}

std::vector<std::uint8_t> StreamRecords::finish() {
  std::vector<std::uint8_t> rest;
  rest.swap(partial_);
  return rest;
}

std::vector<std::vector<std::uint8_t>> FramedStreamRecords::feed(std::span<const std::uint8_t> bytes) {
  if (framing_ == Framing::binary) return binary_.feed(bytes);
  std::vector<std::vector<std::uint8_t>> out;
  for (auto& line : lines_.feed(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()))) {
    line += '\n';
    out.emplace_back(line.begin(), line.end());
  }
  return out;
}

}  // namespace wireproof::peers
