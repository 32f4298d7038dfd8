#include "impl/dtls/fragmenter.hpp"

#include <algorithm>
#include <stdexcept>

namespace wireproof::dtls {

std::vector<crypto::Bytes> fragment_message(std::uint8_t type, std::uint16_t message_seq, crypto::ByteView body,
                                            std::size_t max_fragment) {
  if (max_fragment == 0) throw std::invalid_argument("fragment budget must be positive");
  std::vector<crypto::Bytes> out;
  std::size_t off = 0;
  do {
    std::size_t n = std::min(max_fragment, body.size() - off);
    bytes::Writer w;
    write_handshake_header(w, {type, static_cast<std::uint32_t>(body.size()), message_seq,
                               static_cast<std::uint32_t>(off), static_cast<std::uint32_t>(n)});
    w.put_bytes(body.subspan(off, n));
    out.push_back(w.take());
    off += n;
  } while (off < body.size());
  return out;
}

crypto::Bytes whole_message(std::uint8_t type, std::uint16_t message_seq, crypto::ByteView body) {
  return fragment_message(type, message_seq, body, std::max<std::size_t>(body.size(), 1)).front();
}

}  // namespace wireproof::dtls
