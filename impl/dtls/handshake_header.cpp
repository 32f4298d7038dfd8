#include "impl/dtls/handshake_header.hpp"

namespace wireproof::dtls {

bool read_handshake_fragment(bytes::Reader& r, HandshakeHeader& h, std::span<const std::uint8_t>& body) {
  bytes::Reader save = r;
  HandshakeHeader out;
  if (!r.get_u8(out.type) || !r.get_u24(out.length) || !r.get_u16(out.message_seq) || !r.get_u24(out.frag_offset) ||
      !r.get_u24(out.frag_length) || std::uint64_t{out.frag_offset} + out.frag_length > out.length ||
      !r.get_bytes(out.frag_length, body)) {
    r = save;
    return false;
  }
  h = out;
  return true;
}

void write_handshake_header(bytes::Writer& w, const HandshakeHeader& h) {
  w.put_u8(h.type);
  w.put_u24(h.length);
  w.put_u16(h.message_seq);
  w.put_u24(h.frag_offset);
  w.put_u24(h.frag_length);
}

}  // namespace wireproof::dtls
