// Test helper: TCP segments on the L3 wire as the event log holds them (IP and
// TCP layers, the data as `payload`), with real-looking ISNs, seq/ack,
// windows and SYN options. Each side keeps its own send stream, so `data`
// sends the next bytes, `resend` an earlier range with the same bytes, and
// `ack` acknowledges everything the peer has sent so far.
//
//   LogBuilder b; TcpLogBuilder t(b);
//   t.handshake(0);                 // SYN 0, SYN-ACK 0.1, ACK 0.2 (ms)
//   t.data("c2s", 1, 1000); t.ack("s2c", 1.5);
//   auto r = make_tcp_data_intact()->run(b.inputs());
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "harness/checks/testdata/log_builder.hpp"

namespace wireproof::checks::testing {

struct SynOptions {
  std::optional<std::uint16_t> mss = 1460;
  std::optional<int> window_scale = 7;
  bool sack_permitted = true;
  bool timestamps = true;
  std::uint16_t window = 64240;  // never scaled in a SYN (RFC 7323 2.2)
};

class TcpLogBuilder {
 public:
  explicit TcpLogBuilder(LogBuilder& b, int ip_version = 4);

  // A segment with absolute seq/ack as given. Forwarded and delivered 0.05 ms
  // later unless changed through the returned reference (valid until the next add).
  events::Datagram& segment(const std::string& dir, double t_ms, std::uint8_t flags, std::uint32_t seq,
                            std::uint32_t ack, Bytes payload = {});
  // The side's SYN (c2s: SYN; s2c: SYN-ACK) with `o`; again = a retransmission of it.
  events::Datagram& syn(const std::string& dir, double t_ms, const SynOptions& o = {});
  // An ACK of everything the peer has sent so far (its FIN included).
  events::Datagram& ack(const std::string& dir, double t_ms);
  // An ACK of the peer's stream up to relative offset `upto` (duplicate ACKs),
  // with SACK blocks given as relative [left, right).
  events::Datagram& ack_upto(const std::string& dir, double t_ms, std::uint64_t upto,
                             std::vector<std::pair<std::uint64_t, std::uint64_t>> sack = {});
  // The side's next n data bytes (acking the peer like `ack`).
  events::Datagram& data(const std::string& dir, double t_ms, std::size_t n);
  // These bytes as the side's next data (a real stack's stream: TLS records).
  events::Datagram& data(const std::string& dir, double t_ms, Bytes payload);
  // Bytes [offset, offset + n) of the side's stream again.
  events::Datagram& resend(const std::string& dir, double t_ms, std::uint64_t offset, std::size_t n);
  events::Datagram& fin(const std::string& dir, double t_ms);
  events::Datagram& rst(const std::string& dir, double t_ms);
  // The wire's ICMP frag-needed (IPv4) / Packet Too Big (IPv6) with next-hop
  // `mtu`, quoting a segment `about` sent (origin wire, travelling the other
  // way), delivered 0.05 ms later.
  events::Datagram& too_big_reply(const std::string& about, double t_ms, std::uint32_t mtu);
  // Marks `d` dropped by the link as larger than its MTU (action mtu).
  static events::Datagram& dropped_too_big(events::Datagram& d);
  // SYN 0, SYN-ACK +0.1, ACK +0.2 ms.
  void handshake(double t_ms, const SynOptions& client = {}, const SynOptions& server = {});
  // From now on a new connection (the client's next port, new ISNs, empty
  // streams): a reconnect. Call handshake() for its SYNs.
  void next_connection();

  // The window field (unscaled) each side advertises from now on.
  void set_window(const std::string& dir, std::uint16_t window) { side(dir).window = window; }
  // Everything the side's application wrote so far, and its SHA-256 (hex).
  const Bytes& written(const std::string& dir) { return side(dir).stream; }
  std::string sha256(const std::string& dir);
  std::uint32_t isn(const std::string& dir) { return side(dir).isn; }
  std::uint16_t port(const std::string& dir) { return side(dir).port; }

 private:
  struct Side {
    std::string dir, address;
    std::uint16_t port;
    std::uint32_t isn;
    Bytes stream;                // data written (sent at least once)
    bool fin_sent = false;
    std::uint16_t window = 502;  // 502 << 7 = 64256, Linux's usual
  };
  Side& side(const std::string& dir) { return dir == "c2s" ? client_ : server_; }
  Side& peer(const std::string& dir) { return dir == "c2s" ? server_ : client_; }
  std::uint32_t next_seq(Side& s) { return s.isn + 1 + static_cast<std::uint32_t>(s.stream.size()) + (s.fin_sent ? 1 : 0); }

  LogBuilder& b_;
  int ip_version_;
  Side client_, server_;
};

}  // namespace wireproof::checks::testing
