#include "harness/dissect/tls_records.hpp"

#include <fmt/format.h>

#include "harness/dissect/dtls_record_walk.hpp"
#include "impl/bytes/reader.hpp"

namespace wireproof::dissect {

namespace {

bool known_content_type(std::uint8_t t) { return t >= kChangeCipherSpec && t <= kHeartbeat; }

}  // namespace

TlsRecordWalk walk_tls_records(std::span<const std::uint8_t> stream) {
  TlsRecordWalk walk;
  bytes::Reader in(stream);
  while (!in.empty()) {
    const std::size_t offset = stream.size() - in.remaining();
    TlsRecord r;
    r.index = walk.records.size();
    r.offset = offset;
    // The header is judged as soon as its bytes are there, so a non-TLS peer is named at once.
    if (in.remaining() >= 1 && !known_content_type(stream[offset])) {
      walk.fault = record_fault(r.index, offset,
                                fmt::format("content type {} (0x{:02x}) is not a TLS content type (RFC 8446 5.1)",
                                            stream[offset], stream[offset]));
      walk.fault_offset = offset;
      return walk;
    }
    if (in.remaining() >= 2 && stream[offset + 1] != 3) {
      walk.fault = record_fault(r.index, offset,
                                fmt::format("legacy version major byte {} is not 3 (TLS 1.x)", stream[offset + 1]));
      walk.fault_offset = offset;
      return walk;
    }
    if (!in.get_u8(r.type) || !in.get_u16(r.version) || !in.get_u16(r.length) ||
        !in.get_bytes(r.length, r.body)) {
      walk.partial_bytes = stream.size() - offset;
      return walk;
    }
    walk.records.push_back(r);
  }
  return walk;
}

std::size_t first_of_type(const TlsRecordWalk& walk, std::uint8_t type) {
  for (const auto& r : walk.records)
    if (r.type == type) return r.index;
  return walk.records.size();
}

TlsHandshakeMessages plaintext_handshake(const TlsRecordWalk& walk, std::size_t clear_end) {
  TlsHandshakeMessages out;
  std::optional<TlsHandshakeMessage> current;  // the message being read
  std::vector<std::uint8_t> header;            // its 4-byte header so far (it may span records)
  for (const auto& rec : walk.records) {
    if (rec.index >= clear_end) break;
    if (rec.type != kHandshake) continue;
    for (std::size_t pos = 0; pos < rec.body.size();) {
      if (!current) {
        current.emplace();
        current->offset = rec.offset + kTlsRecordHeader + pos;
        current->first_record = rec.index;
        header.clear();
      }
      auto& m = *current;
      m.last_record = rec.index;
      if (header.size() < 4) {
        while (header.size() < 4 && pos < rec.body.size()) header.push_back(rec.body[pos++]);
        if (header.size() < 4) break;
        bytes::Reader h(header);
        h.get_u8(m.type);
        h.get_u24(m.length);
      }
      const std::size_t take = std::min<std::size_t>(m.length - m.body.size(), rec.body.size() - pos);
      m.body.insert(m.body.end(), rec.body.begin() + static_cast<std::ptrdiff_t>(pos),
                    rec.body.begin() + static_cast<std::ptrdiff_t>(pos + take));
      pos += take;
      if (m.body.size() == m.length) {
        m.complete = true;
        out.messages.push_back(std::move(m));
        current.reset();
      }
    }
  }
  if (current) out.messages.push_back(std::move(*current));  // the stream (or its clear part) ended inside it
  return out;
}

}  // namespace wireproof::dissect
