// Dissects one UDP payload as a sequence of DTLS 1.2 records (RFC 6347 4.1):
// record headers, plaintext handshake headers (epoch 0, type 22) and
// plaintext alerts (epoch 0, type 21). Records of epoch > 0 stay opaque.
//
//   auto r = dissect_dtls(payload);
//   datagram.records = std::move(r.records);
//   datagram.malformed = std::move(r.malformed);
//
// Never reads out of bounds (all parsing goes through bytes::Reader). On a
// fault, `records` keeps the records parsed before it and `malformed` says
// which record, at which offset, and what was wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "harness/events/event_log.hpp"

namespace wireproof::dissect {

struct DissectResult {
  std::vector<events::Record> records;
  std::optional<std::string> malformed;
};

DissectResult dissect_dtls(std::span<const std::uint8_t> datagram);

}  // namespace wireproof::dissect
