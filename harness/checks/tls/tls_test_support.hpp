// For the TLS checks' tests: a real in-memory OpenSSL pair
// (dissect/testing::OpensslMemoryPair) whose bytes go on one TCP connection
// of an L3 event log (testdata/tls_over_tcp.hpp) as they are produced, so
// the wire's order follows the test's calls, judged with or without its key
// log; and byte surgery on the clear hellos (an extension added, the random
// changed) so a rule meets what no conforming library sends.
//
//   PairOnWire pw(pki_, TLS1_3_VERSION);
//   pw.start();                                    // handshake, on the wire
//   SSL_write(pw.p.client, "hi", 2); pw.p.pump(); pw.flush();
//   pw.w.t.fin("c2s", pw.w.now);
//   auto in = pw.inputs_with_key_log();
#pragma once

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "harness/checks/check.hpp"
#include "harness/checks/testdata/tls_over_tcp.hpp"
#include "harness/dissect/openssl_memory_pair.hpp"
#include "harness/dissect/tls_records.hpp"

namespace wireproof::checks::testing {

struct PairOnWire {
  PairOnWire(const pki::PkiFiles& pki, int version)
      : p(pki, version, version == TLS1_3_VERSION ? "TLS_AES_128_GCM_SHA256" : "ECDHE-ECDSA-AES128-GCM-SHA256") {}
  dissect::testing::OpensslMemoryPair p;
  TlsOverTcp w;
  std::size_t c2s_sent = 0, s2c_sent = 0;

  // Puts on the wire what each side wrote since the last flush, the client's first.
  void flush(std::size_t mss = 1000) {
    w.send("c2s", p.c2s, c2s_sent, p.c2s.size(), mss);
    c2s_sent = p.c2s.size();
    w.send("s2c", p.s2c, s2c_sent, p.s2c.size(), mss);
    s2c_sent = p.s2c.size();
  }
  void start() {
    p.handshake();
    flush();
  }
  // A handshake that may fail (an alert): both sides step until nothing moves.
  void attempt() {
    for (int i = 0; i < 10; ++i) {
      SSL_do_handshake(p.client);
      p.pump();
      SSL_do_handshake(p.server);
      p.pump();
    }
    ERR_clear_error();
    flush();
  }
  // `side` writes `text` (one record), the other reads it.
  void write(SSL* side, const std::string& text) {
    ASSERT_EQ(SSL_write(side, text.data(), static_cast<int>(text.size())), static_cast<int>(text.size()));
    p.pump();
    EXPECT_EQ(p.read(side == p.client ? p.server : p.client), text);
    flush();
  }
  // What `side` wrote goes on the wire (from the next flush) but never reaches
  // its peer's library: a peer that has not read it yet.
  void withhold(SSL* side) {
    auto& stream = side == p.client ? p.c2s : p.s2c;
    char buf[16384];
    for (int n; (n = BIO_read(SSL_get_wbio(side), buf, sizeof buf)) > 0;) stream.insert(stream.end(), buf, buf + n);
  }
  Inputs inputs() const { return w.b.inputs(); }
  Inputs inputs_with_key_log() const {
    auto in = w.b.inputs();
    in.key_logs = {{"keylog-client.txt", p.key_log, ""}};
    return in;
  }
};

using Bytes = std::vector<std::uint8_t>;

inline void put16(Bytes& b, std::size_t at, std::size_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
inline std::size_t get16(const Bytes& b, std::size_t at) { return std::size_t{b[at]} << 8 | b[at + 1]; }

// The offset of the first record of `stream` carrying handshake type `hs` as
// its first message (each OpenSSL hello has a record of its own).
inline std::size_t hello_record(const Bytes& stream, std::uint8_t hs) {
  for (std::size_t at = 0; at + 5 < stream.size(); at += 5 + get16(stream, at + 3))
    if (stream[at] == dissect::kHandshake && stream[at + 5] == hs) return at;
  ADD_FAILURE() << "no record with handshake type " << int(hs);
  return 0;
}

// Offset of the u16 extensions length of the hello in the record at `rec`.
inline std::size_t extensions_at(const Bytes& s, std::size_t rec) {
  std::size_t at = rec + 5 + 4 + 2 + 32;  // record and handshake headers, version, random
  at += 1 + s[at];                         // session id
  if (s[rec + 5] == 1) {                   // ClientHello: suites, compression methods
    at += 2 + get16(s, at);
    at += 1 + s[at];
  } else {
    at += 3;                               // ServerHello: suite, compression method
  }
  return at;
}

// Appends extension (type, data) to the hello (ClientHello 1 / ServerHello 2)
// of `stream`, fixing the record, handshake and extensions lengths.
inline void add_extension(Bytes& stream, std::uint8_t hs, std::uint16_t type, const Bytes& data) {
  const std::size_t rec = hello_record(stream, hs);
  const std::size_t ext = extensions_at(stream, rec);
  const std::size_t end = rec + 5 + get16(stream, rec + 3);
  Bytes add{static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type), 0, 0};
  put16(add, 2, data.size());
  add.insert(add.end(), data.begin(), data.end());
  stream.insert(stream.begin() + static_cast<std::ptrdiff_t>(end), add.begin(), add.end());
  put16(stream, rec + 3, get16(stream, rec + 3) + add.size());
  const std::size_t hs_len = (std::size_t{stream[rec + 6]} << 16 | get16(stream, rec + 7)) + add.size();
  stream[rec + 6] = static_cast<std::uint8_t>(hs_len >> 16);
  put16(stream, rec + 7, hs_len);
  put16(stream, ext, get16(stream, ext) + add.size());
}

// The hello's random (32 bytes at record + 11).
inline std::uint8_t* hello_random(Bytes& stream, std::uint8_t hs) { return &stream[hello_record(stream, hs) + 11]; }

// Puts both streams on the wire (300-byte segments) and judges with `check`,
// with the pair's key log when `key_log`.
// `asked`: the scenario's tls section (what the harness asked each side for).
inline CheckResult judge(const Check& check, const dissect::testing::OpensslMemoryPair& p, const Bytes& c2s,
                         const Bytes& s2c, bool key_log, const char* protocol = "tls1.3",
                         const scenario::TlsSettings& asked = {}) {
  TlsOverTcp w;
  w.b.scenario.protocol = protocol;
  w.b.scenario.tls = asked;
  w.send("c2s", c2s, 300);
  w.send("s2c", s2c, 300);
  auto in = w.b.inputs();
  if (key_log) in.key_logs = {{"keylog-client.txt", p.key_log, ""}};
  return check.run(in);
}
inline CheckResult judge(const Check& check, const dissect::testing::OpensslMemoryPair& p, bool key_log = true,
                         const char* protocol = "tls1.3") {
  return judge(check, p, p.c2s, p.s2c, key_log, protocol);
}

// Sends n bytes from `from` to the other side and reads them there.
inline void write_and_read(dissect::testing::OpensslMemoryPair& p, SSL* from, std::size_t n) {
  const std::string data(n, 'x');
  ASSERT_EQ(SSL_write(from, data.data(), static_cast<int>(n)), static_cast<int>(n));
  p.pump();
  EXPECT_EQ(p.read(from == p.client ? p.server : p.client).size(), n);
}

}  // namespace wireproof::checks::testing
