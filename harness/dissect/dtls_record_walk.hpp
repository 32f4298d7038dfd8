// The one walk over the DTLS records of a datagram (RFC 6347 4.1: a 13-byte
// header — type, version, epoch, 48-bit sequence number, length — then
// `length` bytes of body, repeated to the end of the datagram). The dissector
// that writes the event log and the checks that re-read the logged bytes
// (record_boundaries, the handshake fragment reader) all walk through it, so
// they agree on where a record starts, where it ends and why a walk stops.
//
//   DtlsRecordWalk walk(payload);
//   while (auto r = walk.next()) use(r->type, r->epoch, r->body);
//   if (walk.fault()) report(walk.fault()->what);
//
// Lazy: a fault is found only when next() reaches it. Bounded: every read
// goes through bytes::Reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "impl/bytes/reader.hpp"

namespace wireproof::dissect {

struct WalkedRecord {
  std::size_t index = 0;   // 0-based position in the datagram
  std::size_t offset = 0;  // where its header starts
  std::uint8_t type = 0;   // content type, not validated here
  std::uint16_t version = 0;
  std::uint16_t epoch = 0;
  std::uint64_t seq = 0;
  std::uint16_t length = 0;            // as the header says
  std::span<const std::uint8_t> body;  // `length` bytes (a fault's record: the bytes that are there)
};

// Why a walk stopped before the end of the datagram.
struct RecordWalkFault {
  std::string what;  // "record 1 at offset 17: record header needs 13 bytes, 2 remain"
  // The header read when its length runs past the end (nullopt when not even
  // a whole header was left), so a caller can judge the header first.
  std::optional<WalkedRecord> record;
};

// "record <index> at offset <offset>: <what>", the one wording of a record fault.
std::string record_fault(std::size_t index, std::size_t offset, std::string_view what);

class DtlsRecordWalk {
 public:
  explicit DtlsRecordWalk(std::span<const std::uint8_t> datagram) : size_(datagram.size()), in_(datagram) {}

  // The next whole record; nullopt at the end of the datagram, or at a fault:
  // fewer than 13 bytes left, or a length past the end (see fault()).
  std::optional<WalkedRecord> next();
  const std::optional<RecordWalkFault>& fault() const { return fault_; }

 private:
  std::size_t size_;
  bytes::Reader in_;
  std::size_t index_ = 0;
  std::optional<RecordWalkFault> fault_;
};

}  // namespace wireproof::dissect
