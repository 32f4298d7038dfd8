// The echo workload as records on the wire, for either --framing
// (peers/CONTRACT.md): with binary a record is the chunk itself; with lines
// a record is the chunk as one text line (line_frame.hpp), the framing stock
// tools need, with the chunk reduced so the line fits. Bookkeeping and
// digests stay EchoClient's / EchoServer's, over the binary chunks, so both
// framings report the same digests for the same chunks.
//
//   FramedEchoClient c(opts.framing, {workload_plan(opts), resend});  // records_to_send / on_record
//   FramedEchoServer s(opts.framing, workload_plan(opts));            // on_record, then echo unchanged
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "peers/common/echo_client.hpp"
#include "peers/common/echo_server.hpp"
#include "peers/common/options.hpp"

namespace wireproof::peers {

// --echo-bytes / --chunk as sent; with lines the chunk is capped like the
// stock wrapper caps it (max_pattern_bytes), so both ends of a pair agree.
ChunkPlan workload_plan(const PeerOptions& opts);

class FramedEchoClient {
 public:
  FramedEchoClient(Framing framing, EchoClient::Config config);

  std::vector<std::vector<std::uint8_t>> records_to_send(std::int64_t now_ms);
  // An echoed record; with lines, one that is not exactly one intact line counts as malformed.
  void on_record(std::span<const std::uint8_t> record);

  bool complete() const { return client_.complete(); }
  bool heard_back() const { return client_.heard_back(); }
  bool verified() const { return client_.verified(); }
  std::optional<std::int64_t> next_deadline_ms() const { return client_.next_deadline_ms(); }
  // EchoClient's report; with lines plus "framing":"lines" and the "chunk" used.
  nlohmann::json report(const std::string& ended_by = "") const;

 private:
  Framing framing_;
  std::uint32_t chunk_;
  EchoClient client_;
};

class FramedEchoServer {
 public:
  FramedEchoServer(Framing framing, ChunkPlan plan);

  // Bookkeeping only: the caller echoes the record unchanged whatever this says.
  EchoServer::Seen on_record(std::span<const std::uint8_t> record);

  bool verified() const { return server_.verified(); }
  bool received_any() const { return server_.received_any(); }
  // EchoServer's report; with lines plus "framing":"lines" and the "chunk" used.
  nlohmann::json report() const;

 private:
  Framing framing_;
  std::uint32_t chunk_;
  EchoServer server_;
};

}  // namespace wireproof::peers
