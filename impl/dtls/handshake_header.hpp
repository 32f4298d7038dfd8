// DTLS handshake header (RFC 6347 4.2.2): type, length, message_seq,
// fragment_offset, fragment_length; 12 bytes.
#pragma once

#include <span>

#include "impl/bytes/reader.hpp"
#include "impl/bytes/writer.hpp"

namespace wireproof::dtls {

constexpr std::size_t kHandshakeHeaderLen = 12;

struct HandshakeHeader {
  std::uint8_t type = 0;
  std::uint32_t length = 0;  // of the whole message (24 bits)
  std::uint16_t message_seq = 0;
  std::uint32_t frag_offset = 0;
  std::uint32_t frag_length = 0;
};

// Reads one fragment; fails (r unchanged) when truncated or when the fragment
// lies outside the message (offset + length > message length).
bool read_handshake_fragment(bytes::Reader& r, HandshakeHeader& h, std::span<const std::uint8_t>& body);
void write_handshake_header(bytes::Writer& w, const HandshakeHeader& h);

}  // namespace wireproof::dtls
