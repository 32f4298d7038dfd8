// Synthesized IPv4 + UDP headers around a datagram payload (RFC 791, RFC 768).
#include <stdexcept>

#include "harness/capture/pcapng_writer.hpp"
#include "impl/bytes/internet_checksum.hpp"
#include "impl/bytes/writer.hpp"

namespace wireproof::capture {

std::vector<std::uint8_t> ipv4_udp(const Endpoint& src, const Endpoint& dst, std::uint16_t ip_id,
                                   const std::vector<std::uint8_t>& payload) {
  constexpr std::size_t kIp = 20, kUdp = 8;
  if (payload.size() > 65535 - kIp - kUdp) throw std::length_error("UDP payload too large for IPv4");
  const auto total = static_cast<std::uint16_t>(kIp + kUdp + payload.size());
  bytes::Writer w;
  w.put_u8(0x45);            // version 4, IHL 5
  w.put_u8(0);               // DSCP/ECN
  w.put_u16(total);
  w.put_u16(ip_id);
  w.put_u16(0x4000);         // DF: the wire never fragments; MTU is enforced by dropping
  w.put_u8(64);              // TTL
  w.put_u8(17);              // UDP
  w.put_u16(0);              // header checksum, patched below
  w.put_bytes(src.ip);
  w.put_bytes(dst.ip);
  w.put_u16(src.port);
  w.put_u16(dst.port);
  w.put_u16(static_cast<std::uint16_t>(kUdp + payload.size()));
  w.put_u16(0);              // UDP checksum, patched below
  w.put_bytes(payload);
  const auto& b = w.data();
  const std::span<const std::uint8_t> packet(b);
  bytes::InternetChecksum ip;
  ip.add(packet.first(kIp));
  w.patch_uint(10, 2, ip.value());
  // UDP checksum over the pseudo-header (src, dst, proto, UDP length) and the UDP datagram.
  bytes::InternetChecksum pseudo;
  pseudo.add(packet.subspan(12, 8));
  pseudo.add_u16(17);
  pseudo.add_u16(static_cast<std::uint16_t>(kUdp + payload.size()));
  pseudo.add(packet.subspan(kIp));
  const std::uint16_t udp = pseudo.value();
  w.patch_uint(kIp + 6, 2, udp == 0 ? 0xffff : udp);  // 0 means "no checksum"; RFC 768 sends all ones
  return w.take();
}

}  // namespace wireproof::capture
