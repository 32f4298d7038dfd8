// Test helper: builds DTLS 1.2 records and datagrams byte by byte with
// bytes::Writer, so tests state exactly what is on the wire.
//
//   auto d = dtls_builder::datagram({dtls_builder::handshake(1, 0, 0, 40),
//                                    dtls_builder::ccs(0, 5)});
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "impl/bytes/writer.hpp"

namespace wireproof::dtls_builder {

using Bytes = std::vector<std::uint8_t>;

inline Bytes record(std::uint8_t type, std::uint16_t epoch, std::uint64_t seq, const Bytes& body,
                    std::uint16_t version = 0xfefd) {
  bytes::Writer w;
  w.put_u8(type);
  w.put_u16(version);
  w.put_u16(epoch);
  w.put_u48(seq);
  auto len = w.open_prefixed(2);
  w.put_bytes(body);
  w.close_prefixed(len);
  return w.take();
}

// A plaintext (epoch 0) handshake record carrying one fragment of a message of
// `msg_length` bytes; the fragment is [frag_offset, frag_offset + frag_length).
inline Bytes handshake(std::uint8_t hs_type, std::uint16_t message_seq, std::uint64_t record_seq,
                       std::uint32_t msg_length, std::uint32_t frag_offset = 0,
                       std::int64_t frag_length = -1) {
  const std::uint32_t flen =
      frag_length < 0 ? msg_length - frag_offset : static_cast<std::uint32_t>(frag_length);
  bytes::Writer w;
  w.put_u8(hs_type);
  w.put_u24(msg_length);
  w.put_u16(message_seq);
  w.put_u24(frag_offset);
  w.put_u24(flen);
  w.put_zeros(flen);
  return record(22, 0, record_seq, w.take());
}

inline Bytes ccs(std::uint16_t epoch, std::uint64_t seq) { return record(20, epoch, seq, Bytes{1}); }
inline Bytes encrypted_handshake(std::uint64_t seq, std::size_t n = 40) {
  return record(22, 1, seq, Bytes(n, 0xab));
}
inline Bytes app_data(std::uint64_t seq, std::size_t n = 32) { return record(23, 1, seq, Bytes(n, 0xcd)); }
inline Bytes alert(std::uint8_t level, std::uint8_t description, std::uint64_t seq) {
  return record(21, 0, seq, Bytes{level, description});
}

inline Bytes datagram(std::initializer_list<Bytes> records) {
  Bytes out;
  for (const auto& r : records) out.insert(out.end(), r.begin(), r.end());
  return out;
}

}  // namespace wireproof::dtls_builder
