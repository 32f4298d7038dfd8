// The server half of the echo workload, sans-IO: every record is echoed
// unchanged (the client recovers losses by resending, so duplicates must be
// echoed too); the server tracks unique chunks, their digest in index order,
// and duplicates, which DTLS replay protection should make impossible unless
// the client resent (peers/CONTRACT.md, "Workload").
#pragma once

#include <cstdint>
#include <span>

#include <nlohmann/json.hpp>

#include "peers/common/echo_chunks.hpp"

namespace wireproof::peers {

class EchoServer {
 public:
  enum class Seen { new_chunk, duplicate, malformed };

  // plan.echo_bytes == 0: the expected transfer is unknown (not verified).
  explicit EchoServer(ChunkPlan plan) : plan_(plan) {}

  // Records one received record; the caller echoes it unchanged whatever this says.
  Seen on_record(std::span<const std::uint8_t> record);
  // A record arrived that carries no chunk (its framing was broken); still echoed.
  Seen on_malformed() {
    ++records_;
    ++malformed_;
    return Seen::malformed;
  }

  // When the plan is known: every chunk arrived and the digest is the expected one.
  bool verified() const;
  // A record arrived: the client reaches us, so silence from here on is loss
  // or the client's end, which its close_notify (or the harness's SIGTERM) signals.
  bool received_any() const { return records_ > 0; }
  std::uint64_t duplicates() const { return duplicates_; }

  // The contract's app_data event for role server.
  nlohmann::json report() const;

 private:
  ChunkPlan plan_;
  OrderedDigest received_;
  std::uint64_t records_ = 0;
  std::uint64_t bytes_ = 0;  // pattern bytes of unique chunks (headers excluded)
  std::uint64_t duplicates_ = 0;
  std::uint64_t malformed_ = 0;
};

}  // namespace wireproof::peers
