// TLS records in one direction's byte stream (RFC 5246 6.2.1, RFC 8446 5.1),
// at stream offsets: a 5-byte header (content type, legacy version, length),
// then `length` bytes, back to back from the stream's first byte. Over TCP the
// stream is what tcp_stream reassembled (TcpDirection::stream), so a record
// may span segments and a segment may carry several records; retransmitted
// bytes were already deduplicated there. Then the handshake messages carried
// in clear, reassembled across records (a message may span records, and a
// record may carry several messages).
//
//   auto walk = walk_tls_records(conn.c2s.stream);
//   for (const auto& r : walk.records) ... r.offset, r.type, r.body
//   if (walk.fault) ...        // the bytes stopped being TLS records there
//   auto hs = plaintext_handshake(walk, first_of_type(walk, kChangeCipherSpec));  // TLS 1.2
//
// Sans-IO and bounded: every read goes through bytes::Reader; nothing is
// buffered beyond the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace wireproof::dissect {

inline constexpr std::uint8_t kChangeCipherSpec = 20, kAlert = 21, kHandshake = 22, kApplicationData = 23,
                              kHeartbeat = 24;
inline constexpr std::size_t kTlsRecordHeader = 5;

struct TlsRecord {
  std::size_t index = 0;   // 0-based position in the stream
  std::size_t offset = 0;  // stream offset of its header
  std::uint8_t type = 0;
  std::uint16_t version = 0;  // legacy_record_version
  std::uint16_t length = 0;
  std::span<const std::uint8_t> body;  // `length` bytes, into the stream
  std::size_t end() const { return offset + kTlsRecordHeader + length; }
};

struct TlsRecordWalk {
  std::vector<TlsRecord> records;  // every whole record before the end or the fault
  // Where the bytes stopped being TLS records (a content type no RFC defines,
  // a legacy version that is not 3.x: e.g. a plaintext server's answer), in
  // record_fault's words. The walk does not go past it.
  std::optional<std::string> fault;
  std::size_t fault_offset = 0;
  // The stream ended inside a record: how many of its bytes arrived (0: it ended on a boundary).
  std::size_t partial_bytes = 0;
};

TlsRecordWalk walk_tls_records(std::span<const std::uint8_t> stream);

// Index of the first record of `type`, or records.size() when there is none.
std::size_t first_of_type(const TlsRecordWalk& walk, std::uint8_t type);

struct TlsHandshakeMessage {
  std::uint8_t type = 0;
  std::uint32_t length = 0;            // as its header says (type and length 0 while the header itself is cut)
  std::vector<std::uint8_t> body;      // header excluded; `length` bytes when complete
  std::size_t offset = 0;              // stream offset of its 4-byte header
  std::size_t first_record = 0, last_record = 0;  // the records it spans (indices into the walk)
  bool complete = false;
};

struct TlsHandshakeMessages {
  std::vector<TlsHandshakeMessage> messages;  // in stream order; the last may be incomplete
};

// Handshake messages from handshake-type record bodies fed in stream order
// (in clear, or decrypted): a message may span bodies and a body may carry
// several messages.
class HandshakeReassembler {
 public:
  // One record's handshake bytes; `offset` is the stream offset of body[0]
  // (for a decrypted record: of its ciphertext's first byte).
  // Returns how many messages this body completed.
  std::size_t add(std::size_t record, std::size_t offset, std::span<const std::uint8_t> body);
  // Completed messages, then the one being read if any.
  TlsHandshakeMessages finish() &&;
  const std::vector<TlsHandshakeMessage>& completed() const { return out_.messages; }

 private:
  TlsHandshakeMessages out_;
  std::optional<TlsHandshakeMessage> current_;
  std::vector<std::uint8_t> header_;  // the current message's 4-byte header so far
};

// The handshake messages of the content type 22 records before record index
// `clear_end` (in TLS 1.2 the direction's first ChangeCipherSpec: what follows
// it is encrypted; in TLS 1.3 every outer type 22 record is in clear, so
// records.size()). Records of other types in between are skipped, not
// merged: whether a message was interleaved with them is the records' to say
// (first_record..last_record).
TlsHandshakeMessages plaintext_handshake(const TlsRecordWalk& walk, std::size_t clear_end);

}  // namespace wireproof::dissect
