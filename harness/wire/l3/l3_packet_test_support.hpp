// Hand-built IP packets for the L3 wire's unit tests (no namespaces needed).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "impl/bytes/internet_checksum.hpp"
#include "impl/bytes/writer.hpp"

namespace wireproof::wire::l3::test {

using Bytes = std::vector<std::uint8_t>;

inline const Bytes kClient4{198, 18, 0, 1}, kServer4{198, 18, 0, 2};
inline const Bytes kClient6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
inline const Bytes kServer6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

// One TCP segment in IPv4 (4-byte addresses) or IPv6 (16), no TCP options,
// checksums valid.
struct TcpSegmentSpec {
  Bytes src, dst;
  std::uint16_t src_port = 40000, dst_port = 5000;
  std::uint32_t seq = 1000, ack = 1;
  std::uint8_t flags = 0x10;  // ACK
  std::uint16_t window = 64240;
  Bytes payload;
  std::uint16_t ip_id = 1;    // IPv4 only
  bool df = true;             // IPv4 only
};

inline Bytes tcp_packet(const TcpSegmentSpec& s) {
  bytes::Writer tcp;
  tcp.put_u16(s.src_port);
  tcp.put_u16(s.dst_port);
  tcp.put_u32(s.seq);
  tcp.put_u32(s.ack);
  tcp.put_u8(5 << 4);  // data offset 5
  tcp.put_u8(s.flags);
  tcp.put_u16(s.window);
  tcp.put_u16(0);      // checksum, below
  tcp.put_u16(0);
  tcp.put_bytes(s.payload);
  bytes::InternetChecksum sum;
  sum.add(s.src);
  sum.add(s.dst);
  sum.add_u16(6);
  sum.add_u16(static_cast<std::uint16_t>(tcp.size()));
  sum.add(tcp.data());
  tcp.patch_uint(16, 2, sum.value());
  bytes::Writer ip;
  if (s.src.size() == 4) {
    ip.put_u8(0x45);
    ip.put_u8(0);
    ip.put_u16(static_cast<std::uint16_t>(20 + tcp.size()));
    ip.put_u16(s.ip_id);
    ip.put_u16(s.df ? 0x4000 : 0);
    ip.put_u8(64);
    ip.put_u8(6);
    ip.put_u16(0);
    ip.put_bytes(s.src);
    ip.put_bytes(s.dst);
    bytes::InternetChecksum h;
    h.add(ip.data());
    ip.patch_uint(10, 2, h.value());
  } else {
    ip.put_u32(0x60000000);
    ip.put_u16(static_cast<std::uint16_t>(tcp.size()));
    ip.put_u8(6);
    ip.put_u8(64);
    ip.put_bytes(s.src);
    ip.put_bytes(s.dst);
  }
  ip.put_bytes(tcp.data());
  return ip.take();
}

// An ACK segment carrying `payload_bytes` bytes of 0x5a, client 40000 -> server 5000.
inline Bytes tcp_packet(int version, std::size_t payload_bytes, bool df = true, std::uint32_t seq = 1000) {
  TcpSegmentSpec s;
  s.src = version == 4 ? kClient4 : kClient6;
  s.dst = version == 4 ? kServer4 : kServer6;
  s.seq = seq;
  s.payload = Bytes(payload_bytes, 0x5a);
  s.df = df;
  return tcp_packet(s);
}

// IPv4 (DF) + UDP around a payload, client 40000 -> server 5000, checksums valid.
inline Bytes udp_packet(const Bytes& payload) {
  bytes::Writer udp;
  udp.put_u16(40000);
  udp.put_u16(5000);
  udp.put_u16(static_cast<std::uint16_t>(8 + payload.size()));
  udp.put_u16(0);
  udp.put_bytes(payload);
  bytes::InternetChecksum sum;
  sum.add(kClient4);
  sum.add(kServer4);
  sum.add_u16(17);
  sum.add_u16(static_cast<std::uint16_t>(udp.size()));
  sum.add(udp.data());
  udp.patch_uint(6, 2, sum.value() == 0 ? 0xffff : sum.value());
  bytes::Writer ip;
  ip.put_u8(0x45);
  ip.put_u8(0);
  ip.put_u16(static_cast<std::uint16_t>(20 + udp.size()));
  ip.put_u16(2);
  ip.put_u16(0x4000);
  ip.put_u8(64);
  ip.put_u8(17);
  ip.put_u16(0);
  ip.put_bytes(kClient4);
  ip.put_bytes(kServer4);
  bytes::InternetChecksum h;
  h.add(ip.data());
  ip.patch_uint(10, 2, h.value());
  ip.put_bytes(udp.data());
  return ip.take();
}

}  // namespace wireproof::wire::l3::test
