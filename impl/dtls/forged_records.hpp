// Test helper: forged plaintext (epoch-0) handshake records, as anyone on the path
// can send them. Each Frag is one handshake fragment header; its body bytes are filler.
//
//   auto d = forged_datagrams({{16, 50, 2, 0, 10}}, 1000);  // ClientKeyExchange, seq 2
#pragma once

#include <vector>

#include "impl/bytes/writer.hpp"
#include "impl/crypto/types.hpp"
#include "impl/dtls/handshake_header.hpp"
#include "impl/dtls/record.hpp"

namespace wireproof::dtls::testing {

struct Frag {
  std::uint8_t type;
  std::uint32_t length;
  std::uint16_t seq;
  std::uint32_t offset, frag_len;
};

// One epoch-0 record of `type` around body, numbered rec_seq.
inline crypto::Bytes forged_record(ContentType type, crypto::ByteView body, std::uint64_t rec_seq) {
  bytes::Writer rec;
  write_record_header(rec, {type, kDtls12, 0, rec_seq, static_cast<std::uint16_t>(body.size())});
  rec.put_bytes(body);
  return rec.data();
}

// Epoch-0 handshake records, up to 200 fragments each, one per datagram, record
// sequence numbers from first_rec_seq.
inline std::vector<crypto::Bytes> forged_datagrams(const std::vector<Frag>& frags, std::uint64_t first_rec_seq) {
  std::vector<crypto::Bytes> out;
  std::uint32_t fill = 0;
  std::size_t i = 0;
  while (i < frags.size()) {
    bytes::Writer body;
    for (int n = 0; n < 200 && i < frags.size(); ++n, ++i) {
      const Frag& f = frags[i];
      write_handshake_header(body, {f.type, f.length, f.seq, f.offset, f.frag_len});
      for (std::uint32_t k = 0; k < f.frag_len; ++k) body.put_u8(static_cast<std::uint8_t>(fill++));
    }
    out.push_back(forged_record(ContentType::handshake, body.data(), first_rec_seq + out.size()));
  }
  return out;
}

}  // namespace wireproof::dtls::testing
