#include "impl/dtls/record_layer.hpp"

#include <stdexcept>
#include <utility>

namespace wireproof::dtls {

namespace {
// The 13-byte header of write_record_header (record.cpp), written in place.
void encode_header(const RecordHeader& h, std::uint8_t* p) {
  auto put = [&p](std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) *p++ = static_cast<std::uint8_t>(v >> (8 * (n - 1 - i)));
  };
  put(static_cast<std::uint8_t>(h.type), 1);
  put(h.version, 2);
  put(h.epoch, 2);
  put(h.seq, 6);
  put(h.length, 2);
}
}  // namespace

RecordLayer::RecordLayer() : current_write_(&write_[0]), current_read_(&read_[0]) {}

void RecordLayer::next_write_epoch(std::unique_ptr<RecordProtection> p) {
  ++write_epoch_;
  current_write_ = &(write_[write_epoch_] = WriteEpoch{std::move(p), 0});
}

RecordLayer::WriteEpoch& RecordLayer::write_state(std::uint16_t epoch) {
  return const_cast<WriteEpoch&>(std::as_const(*this).write_state(epoch));
}

const RecordLayer::WriteEpoch& RecordLayer::write_state(std::uint16_t epoch) const {
  if (epoch == write_epoch_) return *current_write_;
  auto it = write_.find(epoch);
  if (it == write_.end()) throw std::logic_error("unknown write epoch");
  return it->second;
}

std::size_t RecordLayer::overhead(std::uint16_t epoch) const {
  const WriteEpoch& we = write_state(epoch);
  return kRecordHeaderLen + (we.prot ? we.prot->expansion() : 0);
}

std::uint64_t RecordLayer::next_write_seq(std::uint16_t epoch) const { return write_state(epoch).next_seq; }
void RecordLayer::set_next_write_seq(std::uint16_t epoch, std::uint64_t seq) { write_state(epoch).next_seq = seq; }

crypto::Bytes RecordLayer::protect(ContentType type, std::uint16_t epoch, crypto::ByteView payload,
                                   std::uint16_t version) {
  WriteEpoch& we = write_state(epoch);
  // RFC 6347 4.1: the sequence number must not wrap within an epoch.
  if (we.next_seq > kMaxSeq) throw std::logic_error("sequence number space of the epoch exhausted");
  if (payload.size() > kMaxPlaintextLen) throw std::logic_error("record payload above 2^14");
  RecordHeader h{type, version, epoch, we.next_seq++, 0};
  // The fragment length is known up front (AEAD expansion is fixed), so the
  // header and the sealed fragment go into one buffer allocated once.
  const std::size_t body_len = payload.size() + (we.prot ? we.prot->expansion() : 0);
  h.length = static_cast<std::uint16_t>(body_len);
  crypto::Bytes out;
  out.reserve(kRecordHeaderLen + body_len);
  out.resize(kRecordHeaderLen);
  encode_header(h, out.data());
  if (we.prot)
    we.prot->seal_append(h, payload, out);
  else
    out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

RecordLayer::ReadEpoch* RecordLayer::read_state(std::uint16_t epoch) {
  if (epoch == read_epoch_) return current_read_;  // the common case, without a map lookup
  auto it = read_.find(epoch);
  return it == read_.end() ? nullptr : &it->second;
}

void RecordLayer::next_read_epoch(std::unique_ptr<RecordProtection> p) {
  ++read_epoch_;
  current_read_ = &(read_[read_epoch_] = ReadEpoch{std::move(p), {}});
}

// Fills out (type, epoch, seq, plaintext) when the record is new and authentic.
// Epoch 0 has no replay window: its records are unauthenticated, so one forged record
// numbered 2^48-1 would move the window past every genuine one (OpenSSL 3.0 marks epoch 0
// too, in dtls1_process_record). Nothing there needs replay protection: handshake
// fragments are de-duplicated by message_seq and offset, and a repeated flight is what
// the retransmission logic must see anyway.
bool RecordLayer::open_one(ReadEpoch& re, const RecordHeader& h, crypto::ByteView fragment, ReceivedRecord& out) {
  if (re.prot && !re.window.check(h.seq)) {
    ++stats_.replayed;
    return false;
  }
  out.type = h.type;
  out.epoch = h.epoch;
  out.seq = h.seq;
  if (re.prot) {
    if (!re.prot->open(h, fragment, out.data) || out.data.size() > kMaxPlaintextLen) {
      ++stats_.auth_failures;  // RFC 6347 4.1.2.7: discard silently
      return false;
    }
  } else {
    out.data.assign(fragment.begin(), fragment.end());
  }
  if (re.prot) re.window.mark(h.seq);  // only an authenticated record may move the window
  return true;
}

std::vector<ReceivedRecord> RecordLayer::unprotect(crypto::ByteView datagram) {
  std::vector<ReceivedRecord> out;
  unprotect(datagram, out);
  return out;
}

void RecordLayer::unprotect(crypto::ByteView datagram, std::vector<ReceivedRecord>& out) {
  out.clear();
  bytes::Reader r(datagram);
  while (!r.empty()) {
    RecordHeader h;
    std::span<const std::uint8_t> fragment;
    if (!read_record(r, h, fragment)) {
      ++stats_.malformed;  // the rest of the datagram cannot be framed
      break;
    }
    if (h.version != kDtls12 && !(h.epoch == 0 && h.version == kDtls10)) {
      ++stats_.malformed;
      continue;
    }
    if (ReadEpoch* re = read_state(h.epoch)) {
      out.emplace_back();
      if (!open_one(*re, h, fragment, out.back())) out.pop_back();
    } else if (h.epoch == read_epoch_ + 1 && held_.size() < kMaxHeldRecords) {
      held_.push_back({h, crypto::Bytes(fragment.begin(), fragment.end())});
    } else {
      ++stats_.unknown_epoch;
    }
  }
}

std::vector<ReceivedRecord> RecordLayer::take_held() {
  std::vector<ReceivedRecord> out;
  if (held_.empty()) return out;
  std::vector<Held> keep;
  for (auto& held : held_) {
    if (held.header.epoch == read_epoch_) {
      ReceivedRecord rec;
      if (open_one(*current_read_, held.header, held.fragment, rec)) out.push_back(std::move(rec));
    } else if (held.header.epoch == read_epoch_ + 1) {
      keep.push_back(std::move(held));
    }
  }
  held_ = std::move(keep);
  return out;
}

}  // namespace wireproof::dtls
