// Cuts the echo workload's byte stream back into its records (8-byte index +
// pattern bytes, peers/common/echo_chunks.hpp): over TCP the records travel
// back to back, and record i is 8 + plan.pattern_bytes(i) long. With an
// unknown plan (echo_bytes 0, a server told only --chunk) every record is
// taken as 8 + chunk bytes and finish() hands back the shorter last one.
// Sans-IO: bytes in, whole records out.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "peers/common/echo_chunks.hpp"
#include "peers/common/line_frame.hpp"
#include "peers/common/options.hpp"

namespace wireproof::peers {

class StreamRecords {
 public:
  explicit StreamRecords(ChunkPlan plan) : plan_(plan) {}

  // The records `bytes` completed, in stream order.
  std::vector<std::vector<std::uint8_t>> feed(std::span<const std::uint8_t> bytes);
  // At the end of the stream: what is left (a short last record, or bytes
  // past the plan), as one record; empty when nothing is left.
  std::vector<std::uint8_t> finish();

 private:
  std::size_t next_size() const;
  ChunkPlan plan_;
  std::uint64_t next_ = 0;  // index of the record being assembled
  std::vector<std::uint8_t> partial_;
};

// The records of either --framing cut from a byte stream (TLS over TCP):
// binary as StreamRecords does, lines at each '\n' (the newline kept, as a
// line record carries it: line_frame.hpp).
class FramedStreamRecords {
 public:
  FramedStreamRecords(Framing framing, ChunkPlan plan) : framing_(framing), binary_(plan) {}
  std::vector<std::vector<std::uint8_t>> feed(std::span<const std::uint8_t> bytes);

 private:
  Framing framing_;
  StreamRecords binary_;
  LineSplitter lines_;
};

}  // namespace wireproof::peers
