#include "impl/dtls/record.hpp"

namespace wireproof::dtls {

bool is_known_content_type(std::uint8_t t) { return t >= 20 && t <= 23; }

bool read_record(bytes::Reader& r, RecordHeader& h, std::span<const std::uint8_t>& fragment) {
  bytes::Reader save = r;
  std::uint8_t type = 0;
  std::uint16_t len = 0;
  RecordHeader out;
  if (!r.get_u8(type) || !r.get_u16(out.version) || !r.get_u16(out.epoch) || !r.get_u48(out.seq) ||
      !r.get_u16(len) || !is_known_content_type(type) || len > kMaxCiphertextLen ||
      (out.version >> 8) != 0xfe || !r.get_bytes(len, fragment)) {
    r = save;
    return false;
  }
  out.type = static_cast<ContentType>(type);
  out.length = len;
  h = out;
  return true;
}

void write_record_header(bytes::Writer& w, const RecordHeader& h) {
  w.put_u8(static_cast<std::uint8_t>(h.type));
  w.put_u16(h.version);
  w.put_u16(h.epoch);
  w.put_u48(h.seq);
  w.put_u16(h.length);
}

}  // namespace wireproof::dtls
