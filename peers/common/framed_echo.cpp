#include "peers/common/framed_echo.hpp"

#include "peers/common/line_frame.hpp"

namespace wireproof::peers {
namespace {

void annotate(nlohmann::json& report, Framing framing, std::uint32_t chunk) {
  if (framing != Framing::lines) return;  // binary reports stay exactly as the contract first defined them
  report["framing"] = "lines";
  report["chunk"] = chunk;
}

}  // namespace

ChunkPlan workload_plan(const PeerOptions& opts) {
  if (opts.framing == Framing::binary) return {opts.echo_bytes, opts.chunk};
  return {opts.echo_bytes, static_cast<std::uint32_t>(max_pattern_bytes(opts.chunk, opts.mtu))};
}

FramedEchoClient::FramedEchoClient(Framing framing, EchoClient::Config config)
    : framing_(framing), chunk_(config.plan.chunk), client_(config) {}

std::vector<std::vector<std::uint8_t>> FramedEchoClient::records_to_send(std::int64_t now_ms) {
  auto records = client_.records_to_send(now_ms);
  if (framing_ == Framing::lines)
    for (auto& r : records) {
      const std::string line = encode_line(r);
      r.assign(line.begin(), line.end());
    }
  return records;
}

void FramedEchoClient::on_record(std::span<const std::uint8_t> record) {
  if (framing_ == Framing::binary) return client_.on_record(record);
  if (auto chunk = decode_line_record(record)) return client_.on_record(*chunk);
  client_.on_malformed();
}

nlohmann::json FramedEchoClient::report(const std::string& ended_by) const {
  auto r = client_.report(ended_by);
  annotate(r, framing_, chunk_);
  return r;
}

FramedEchoServer::FramedEchoServer(Framing framing, ChunkPlan plan)
    : framing_(framing), chunk_(plan.chunk), server_(plan) {}

EchoServer::Seen FramedEchoServer::on_record(std::span<const std::uint8_t> record) {
  if (framing_ == Framing::binary) return server_.on_record(record);
  if (auto chunk = decode_line_record(record)) return server_.on_record(*chunk);
  return server_.on_malformed();
}

nlohmann::json FramedEchoServer::report() const {
  auto r = server_.report();
  annotate(r, framing_, chunk_);
  return r;
}

}  // namespace wireproof::peers
