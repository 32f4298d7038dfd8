#include "harness/dissect/dtls_dissector.hpp"

#include <fmt/format.h>

#include "harness/dissect/names.hpp"
#include "harness/events/dtls_constants.hpp"
#include "impl/bytes/reader.hpp"

namespace wireproof::dissect {
namespace {

using events::kAlert;
using events::kHandshake;
using events::kHandshakeHeaderBytes;
using events::kRecordHeaderBytes;

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

}  // namespace

DissectResult dissect_dtls(std::span<const std::uint8_t> datagram) {
  DissectResult result;
  bytes::Reader in(datagram);
  for (std::size_t index = 0; !in.empty(); ++index) {
    const std::size_t offset = datagram.size() - in.remaining();
    auto fail = [&](const std::string& what) {
      result.malformed = fmt::format("record {} at offset {}: {}", index, offset, what);
    };
    if (in.remaining() < kRecordHeaderBytes) {
      fail(fmt::format("record header needs {} bytes, {} remain", kRecordHeaderBytes, in.remaining()));
      break;
    }
    std::uint8_t type = 0;
    std::uint16_t version = 0, epoch = 0, length = 0;
    std::uint64_t seq = 0;
    in.get_u8(type);
    in.get_u16(version);
    in.get_u16(epoch);
    in.get_u48(seq);
    in.get_u16(length);
    if (!is_known_content_type(type)) {
      fail(fmt::format("unknown content type {} (not a DTLS record)", type));
      break;
    }
    if ((version >> 8) != 0xfe) {
      fail(fmt::format("version 0x{:04x} is not DTLS (0xfeXX)", version));
      break;
    }
    bytes::Reader body;
    if (!in.get_sub(length, body)) {
      fail(fmt::format("length {} exceeds remaining {}", length, in.remaining()));
      break;
    }
    events::Record rec;
    rec.offset = offset;
    rec.type = type;
    rec.version = version;
    rec.epoch = epoch;
    rec.seq = seq;
    rec.length = length;
    if (epoch == 0 && type == kHandshake) {
      events::HandshakeHeader hs;
      if (auto err = parse_handshake(body, hs)) {
        fail(*err);
        break;
      }
      rec.hs = std::move(hs);
    } else if (epoch == 0 && type == kAlert) {
      events::Alert alert;
      if (auto err = parse_alert(body, alert)) {
        fail(*err);
        break;
      }
      rec.alert = alert;
    }
    result.records.push_back(std::move(rec));
  }
  return result;
}

}  // namespace wireproof::dissect
