// Test helper for the TLS checks: a real in-memory OpenSSL pair
// (dissect/testing::OpensslMemoryPair) whose bytes go on one TCP connection
// of an L3 event log (testdata/tls_over_tcp.hpp) as they are produced, so
// the wire's order follows the test's calls.
//
//   PairOnWire pw(pki_, TLS1_3_VERSION);
//   pw.start();                                    // handshake, on the wire
//   SSL_write(pw.p.client, "hi", 2); pw.p.pump(); pw.flush();
//   pw.w.t.fin("c2s", pw.w.now);
//   auto in = pw.inputs_with_key_log();
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstring>
#include <memory>
#include <string>

#include "harness/checks/testdata/tls_over_tcp.hpp"
#include "harness/dissect/openssl_memory_pair.hpp"

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

}  // namespace wireproof::checks::testing
