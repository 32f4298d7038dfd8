#include "peers/common/echo_server.hpp"

namespace wireproof::peers {

EchoServer::Seen EchoServer::on_record(std::span<const std::uint8_t> record) {
  ++records_;
  auto index = chunk_index(record);
  if (!index) {
    ++malformed_;
    return Seen::malformed;
  }
  if (!received_.add(*index, record)) {
    ++duplicates_;
    return Seen::duplicate;
  }
  bytes_ += record.size() - kChunkHeaderBytes;
  return Seen::new_chunk;
}

bool EchoServer::verified() const {
  if (malformed_ != 0) return false;
  if (plan_.echo_bytes == 0) return true;
  return received_.unique() == plan_.count() && received_.hex() == expected_digest(plan_);
}

nlohmann::json EchoServer::report() const {
  return {{"event", "app_data"},
          {"role", "server"},
          {"records", records_},
          {"unique_chunks", received_.unique()},
          {"bytes", bytes_},
          {"received_sha256", received_.hex()},
          {"duplicates", duplicates_},
          {"malformed", malformed_}};
}

}  // namespace wireproof::peers
