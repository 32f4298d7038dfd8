// libFuzzer target: any bytes through the handshake message decoders and the
// reassembler. Decoders must never read out of bounds; whatever decodes must
// re-encode to bytes that decode to the same encoding (a stable round trip);
// the reassembler must stay within its memory bound.
#include <cstdlib>
#include <string>

#include "impl/dtls/handshake_header.hpp"
#include "impl/dtls/messages.hpp"
#include "impl/dtls/reassembler.hpp"

namespace wd = wireproof::dtls;

namespace {
template <typename T, typename Decode, typename Encode>
void round_trip(wd::ByteView in, Decode decode, Encode enc) {
  std::string err;
  auto m = decode(in, err);
  if (!m) return;
  auto once = enc(*m);
  auto again = decode(once, err);
  if (!again || enc(*again) != once) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  wd::ByteView in(data + 1, size - 1);
  switch (data[0] % 7) {
    case 0: round_trip<wd::ClientHello>(in, [](auto b, auto& e) { return wd::decode_client_hello(b, true, e); },
                                        [](const auto& m) { return wd::encode(m, true); }); break;
    case 1: round_trip<wd::ServerHello>(in, wd::decode_server_hello, [](const auto& m) { return wd::encode(m); }); break;
    case 2: round_trip<wd::CertificateMsg>(in, wd::decode_certificate, [](const auto& m) { return wd::encode(m); }); break;
    case 3: round_trip<wd::EcdheServerKeyExchange>(in, wd::decode_ecdhe_server_key_exchange,
                                                   [](const auto& m) { return wd::encode(m); }); break;
    case 4: round_trip<wd::CertificateRequest>(in, wd::decode_certificate_request,
                                               [](const auto& m) { return wd::encode(m); }); break;
    case 5: round_trip<wd::CertificateVerify>(in, wd::decode_certificate_verify,
                                              [](const auto& m) { return wd::encode(m); }); break;
    default: {
      // A stream of fragments into a small reassembler.
      constexpr std::size_t kLimit = 2048;
      wd::Reassembler ra(kLimit);
      wireproof::bytes::Reader r(in);
      wd::HandshakeHeader h;
      std::span<const std::uint8_t> body;
      while (wd::read_handshake_fragment(r, h, body)) {
        if (ra.add(h, body) == wd::Reassembler::Outcome::error) break;
        if (ra.memory_in_use() > kLimit) std::abort();
        while (auto m = ra.next())
          if (m->body.size() > kLimit) std::abort();
      }
    }
  }
  return 0;
}
