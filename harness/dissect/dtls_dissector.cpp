#include "harness/dissect/dtls_dissector.hpp"

#include <fmt/format.h>

#include "harness/dissect/dtls_record_walk.hpp"
#include "harness/dissect/names.hpp"
#include "harness/events/dtls_constants.hpp"
#include "impl/bytes/reader.hpp"

namespace wireproof::dissect {
namespace {

using events::kAlert;
using events::kHandshake;
using events::kHandshakeHeaderBytes;

bool is_known_content_type(int type) { return type >= 20 && type <= 25; }  // 25 = tls12_cid

// Parses the plaintext handshake header at the start of a record body.
// Returns an error text, or nullopt when `out` was filled.
std::optional<std::string> parse_handshake(bytes::Reader body, events::HandshakeHeader& out) {
  if (body.remaining() < kHandshakeHeaderBytes)
    return fmt::format("handshake header needs {} bytes, record has {}", kHandshakeHeaderBytes,
                       body.remaining());
  std::uint8_t type = 0;
  std::uint16_t message_seq = 0;
  body.get_u8(type);
  body.get_u24(out.length);
  body.get_u16(message_seq);
  body.get_u24(out.frag_offset);
  body.get_u24(out.frag_length);
  out.type = type;
  out.name = handshake_type_name(type);
  out.message_seq = message_seq;
  if (out.frag_length > body.remaining())
    return fmt::format("{} fragment length {} exceeds remaining {}", out.name, out.frag_length,
                       body.remaining());
  if (std::uint64_t{out.frag_offset} + out.frag_length > out.length)
    return fmt::format("{} fragment {}+{} exceeds message length {}", out.name, out.frag_offset,
                       out.frag_length, out.length);
  return std::nullopt;
}

std::optional<std::string> parse_alert(bytes::Reader body, events::Alert& out) {
  std::uint8_t level = 0, description = 0;
  if (body.remaining() != 2)
    return fmt::format("plaintext alert must be 2 bytes, record has {}", body.remaining());
  body.get_u8(level);
  body.get_u8(description);
  out = events::Alert{level, description};
  return std::nullopt;
}

// Why a record header cannot be DTLS, or nullopt.
std::optional<std::string> header_error(const WalkedRecord& r) {
  if (!is_known_content_type(r.type)) return fmt::format("unknown content type {} (not a DTLS record)", r.type);
  if ((r.version >> 8) != 0xfe) return fmt::format("version 0x{:04x} is not DTLS (0xfeXX)", r.version);
  return std::nullopt;
}

// The record's event form; its plaintext handshake or alert header parsed.
// Returns an error text, or nullopt when `out` was filled.
std::optional<std::string> dissect_record(const WalkedRecord& r, events::Record& out) {
  out.offset = r.offset;
  out.type = r.type;
  out.version = r.version;
  out.epoch = r.epoch;
  out.seq = r.seq;
  out.length = r.length;
  if (r.epoch == 0 && r.type == kHandshake) {
    events::HandshakeHeader hs;
    if (auto err = parse_handshake(bytes::Reader(r.body), hs)) return err;
    out.hs = std::move(hs);
  } else if (r.epoch == 0 && r.type == kAlert) {
    events::Alert alert;
    if (auto err = parse_alert(bytes::Reader(r.body), alert)) return err;
    out.alert = alert;
  }
  return std::nullopt;
}

}  // namespace

DissectResult dissect_dtls(std::span<const std::uint8_t> datagram) {
  DissectResult result;
  DtlsRecordWalk walk(datagram);
  while (auto r = walk.next()) {
    events::Record rec;
    auto err = header_error(*r);
    if (!err) err = dissect_record(*r, rec);
    if (err) {
      result.malformed = record_fault(r->index, r->offset, *err);
      return result;
    }
    result.records.push_back(std::move(rec));
  }
  if (const auto& fault = walk.fault()) {
    // A header that is not DTLS says more than the length it carries.
    const auto header_err = fault->record ? header_error(*fault->record) : std::nullopt;
    result.malformed = header_err ? record_fault(fault->record->index, fault->record->offset, *header_err)
                                  : fault->what;
  }
  return result;
}

}  // namespace wireproof::dissect
