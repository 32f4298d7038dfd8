// libFuzzer target: any bytes as the two directions of a TCP connection
// (the first two bytes, big-endian, say how long c2s is), through the TLS view twice: without
// a key log, then with made-up secrets under every label for the
// ClientHello's random, so the decrypting path runs on whatever parses as
// hellos (seeds: tls_transcript_fuzz_seeds, real 1.2 and 1.3 handshakes). Never out of bounds; every index the view hands out points into its
// direction; nothing decrypted that was not protected.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "harness/dissect/tls_transcript.hpp"

namespace {

using namespace wireproof::dissect;

void check(const TranscriptDirection& d) {
  std::size_t app = 0, decrypted = 0;
  for (std::size_t k = 0; k < d.records.size(); ++k) {
    const auto& r = d.records[k];
    if (r.index != k || (r.decrypted && !r.is_protected)) std::abort();
    if (r.plaintext.size() != r.content_length || r.content_length > r.length) std::abort();
    if (r.decrypted) ++decrypted;
    if (r.decrypted && r.content_type == kApplicationData) app += r.content_length;
  }
  if (decrypted != d.decrypted_records || d.decrypted_records > d.protected_records) std::abort();
  if (app != d.application_data.size()) std::abort();
  for (const auto& m : d.handshake)
    if (m.first_record > m.last_record || m.last_record >= d.records.size() || m.body.size() > m.length) std::abort();
  for (const auto& a : d.alerts)
    if (a.record >= d.records.size()) std::abort();
  for (const auto k : d.change_cipher_specs)
    if (k >= d.records.size()) std::abort();
}

void check(const TlsTranscript& t) {
  check(t.c2s);
  check(t.s2c);
  for (const auto& ch : t.client_hellos)
    if (ch.message >= t.c2s.handshake.size()) std::abort();
  if (t.server_hello_message && *t.server_hello_message >= t.s2c.handshake.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t split = std::min<std::size_t>(size - 2, static_cast<std::size_t>(data[0] << 8 | data[1]));
  TcpConnection conn;
  conn.c2s.stream.assign(data + 2, data + 2 + split);
  conn.s2c.stream.assign(data + 2 + split, data + size);
  const auto clear = tls_transcript(conn, nullptr);
  check(clear);
  if (clear.client_hellos.empty()) return 0;
  KeyLog keys;
  const auto& random = clear.client_hellos.back().hello.random;
  for (const char* label : {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
                            "SERVER_TRAFFIC_SECRET_0", "CLIENT_RANDOM"})
    keys.add(random, label, std::vector<std::uint8_t>(48, 0x5a));
  check(tls_transcript(conn, &keys));
  return 0;
}
