#include "harness/checks/support/handshake_fragments.hpp"

#include "harness/dissect/dtls_record_walk.hpp"
#include "impl/bytes/reader.hpp"

namespace wireproof::checks::support {

using bytes::Reader;

// Reads the handshake fragments inside one record body.
static void read_record_fragments(Reader body, const events::Datagram* d, std::size_t record_offset,
                                  std::uint64_t record_seq, std::vector<HandshakeFragment>& out) {
  while (body.remaining() >= kHandshakeHeaderBytes) {
    HandshakeFragment f;
    f.datagram = d;
    f.record_offset = record_offset;
    f.record_seq = record_seq;
    std::uint8_t type = 0;
    std::uint16_t seq = 0;
    std::uint32_t length = 0, offset = 0, frag_length = 0;
    if (!body.get_u8(type) || !body.get_u24(length) || !body.get_u16(seq) || !body.get_u24(offset) ||
        !body.get_u24(frag_length))
      return;
    f.msg_type = type;
    f.length = length;
    f.message_seq = seq;
    f.frag_offset = offset;
    f.frag_length = frag_length;
    std::span<const std::uint8_t> content;
    if (body.get_bytes(frag_length, content)) {
      f.body.assign(content.begin(), content.end());
    } else {
      // The fragment claims more bytes than the record holds: keep what is
      // there and stop reading this record.
      auto rest = body.rest();
      f.body.assign(rest.begin(), rest.end());
      f.truncated = true;
      out.push_back(std::move(f));
      return;
    }
    out.push_back(std::move(f));
  }
}

std::vector<HandshakeFragment> plaintext_fragments(const std::vector<const events::Datagram*>& datagrams) {
  std::vector<HandshakeFragment> out;
  for (const auto* d : datagrams) {
    dissect::DtlsRecordWalk walk(d->payload);  // stops at a malformed tail: record_boundaries reports it
    while (auto r = walk.next())
      if (r->type == events::kHandshake && r->epoch == 0) read_record_fragments(Reader(r->body), d, r->offset, r->seq, out);
  }
  return out;
}

MessageAssembly::MessageAssembly(const HandshakeFragment& first)
    : msg_type_(first.msg_type), length_(first.length) {
  if (too_large()) return;
  bytes_.assign(length_, 0);
  have_.assign(length_, false);
}

MessageAssembly::AddResult MessageAssembly::add(const HandshakeFragment& f) {
  if (f.msg_type != msg_type_) return AddResult::type_mismatch;
  if (f.length != length_) return AddResult::length_mismatch;
  if (static_cast<std::uint64_t>(f.frag_offset) + f.frag_length > length_) return AddResult::out_of_range;
  if (too_large()) return AddResult::too_large;
  AddResult result = AddResult::ok;
  for (std::size_t k = 0; k < f.body.size(); ++k) {
    const std::size_t at = f.frag_offset + k;
    if (have_[at] && bytes_[at] != f.body[k]) result = AddResult::content_mismatch;
    bytes_[at] = f.body[k];
    have_[at] = true;
  }
  return result;
}

bool MessageAssembly::complete() const {
  if (too_large()) return false;
  for (bool h : have_)
    if (!h) return false;
  return true;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> MessageAssembly::gaps() const {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  if (too_large()) return out;
  for (std::uint32_t k = 0; k < length_;) {
    if (have_[k]) { ++k; continue; }
    std::uint32_t end = k;
    while (end < length_ && !have_[end]) ++end;
    out.emplace_back(k, end);
    k = end;
  }
  return out;
}

std::optional<std::vector<std::uint8_t>> MessageAssembly::body() const {
  if (!complete()) return std::nullopt;
  return bytes_;
}

}  // namespace wireproof::checks::support
