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

std::size_t HandshakeReassembler::add(std::size_t record, std::size_t offset, std::span<const std::uint8_t> body) {
  std::size_t completed = 0;
  for (std::size_t pos = 0; pos < body.size();) {
    if (!current_) {
      current_.emplace();
      current_->offset = offset + pos;
      current_->first_record = record;
      header_.clear();
    }
    auto& m = *current_;
    m.last_record = record;
    if (header_.size() < 4) {
      while (header_.size() < 4 && pos < body.size()) header_.push_back(body[pos++]);
      if (header_.size() < 4) break;
      bytes::Reader h(header_);
      h.get_u8(m.type);
      h.get_u24(m.length);
    }
    const std::size_t take = std::min<std::size_t>(m.length - m.body.size(), body.size() - pos);
    m.body.insert(m.body.end(), body.begin() + static_cast<std::ptrdiff_t>(pos),
                  body.begin() + static_cast<std::ptrdiff_t>(pos + take));
    pos += take;
    if (m.body.size() == m.length) {
      m.complete = true;
      out_.messages.push_back(std::move(m));
      current_.reset();
      ++completed;
    }
  }
  return completed;
}

TlsHandshakeMessages HandshakeReassembler::finish() && {
  if (current_) out_.messages.push_back(std::move(*current_));  // the stream ended inside it
  return std::move(out_);
}

TlsHandshakeMessages plaintext_handshake(const TlsRecordWalk& walk, std::size_t clear_end) {
  HandshakeReassembler messages;
  for (const auto& rec : walk.records) {
    if (rec.index >= clear_end) break;
    if (rec.type == kHandshake) messages.add(rec.index, rec.offset + kTlsRecordHeader, rec.body);
  }
  return std::move(messages).finish();
}

}  // namespace wireproof::dissect
