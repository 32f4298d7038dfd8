// Test helper: TLS bytes (e.g. an OpensslMemoryPair's c2s / s2c streams) on
// one TCP connection of an L3 event log, cut into segments, each acked.
//
//   TlsOverTcp w;                         // the TCP handshake at 0 ms
//   w.send("c2s", pair.c2s, 100);         // 100-byte segments: records span them
//   w.send("s2c", pair.s2c, 0, 700, 700); // several records in one segment
//   auto& lost = w.t.data("s2c", w.now, bytes); lost.fate = "dropped"; lost.deliveries_us.clear();
//   w.t.resend("s2c", w.now, offset, n);
//   auto in = w.b.inputs(); in.key_logs = {{"keylog-client.txt", pair.key_log, ""}};
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

#include "harness/checks/testdata/tcp_log_builder.hpp"

namespace wireproof::checks::testing {

struct TlsOverTcp {
  LogBuilder b;
  TcpLogBuilder t{b};
  double now = 1;  // ms; each segment advances it by 1
  TlsOverTcp() { t.handshake(0); }
  // Bytes [from, to) of `stream` in segments of `mss` bytes, each acked 0.1 ms later.
  void send(const std::string& dir, const Bytes& stream, std::size_t from, std::size_t to, std::size_t mss) {
    for (std::size_t at = from; at < to; at += mss) {
      t.data(dir, now, Bytes(stream.begin() + static_cast<std::ptrdiff_t>(at),
                             stream.begin() + static_cast<std::ptrdiff_t>(std::min(to, at + mss))));
      t.ack(dir == "c2s" ? "s2c" : "c2s", now + 0.1);
      now += 1;
    }
  }
  void send(const std::string& dir, const Bytes& stream, std::size_t mss) { send(dir, stream, 0, stream.size(), mss); }
};

}  // namespace wireproof::checks::testing
