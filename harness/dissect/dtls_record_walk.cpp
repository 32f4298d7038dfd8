#include "harness/dissect/dtls_record_walk.hpp"

#include <fmt/format.h>

#include "harness/events/dtls_constants.hpp"

namespace wireproof::dissect {

std::string record_fault(std::size_t index, std::size_t offset, std::string_view what) {
  return fmt::format("record {} at offset {}: {}", index, offset, what);
}

std::optional<WalkedRecord> DtlsRecordWalk::next() {
  if (fault_ || in_.empty()) return std::nullopt;
  WalkedRecord r;
  r.index = index_;
  r.offset = size_ - in_.remaining();
  if (in_.remaining() < events::kRecordHeaderBytes) {
    fault_ = RecordWalkFault{
        record_fault(r.index, r.offset, fmt::format("record header needs {} bytes, {} remain",
                                                    events::kRecordHeaderBytes, in_.remaining())),
        std::nullopt};
    return std::nullopt;
  }
  in_.get_u8(r.type);
  in_.get_u16(r.version);
  in_.get_u16(r.epoch);
  in_.get_u48(r.seq);
  in_.get_u16(r.length);
  if (!in_.get_bytes(r.length, r.body)) {
    const std::size_t remaining = in_.remaining();
    r.body = in_.rest();
    in_.skip(remaining);
    fault_ = RecordWalkFault{
        record_fault(r.index, r.offset, fmt::format("length {} exceeds remaining {}", r.length, remaining)), r};
    return std::nullopt;
  }
  ++index_;
  return r;
}

}  // namespace wireproof::dissect
