#include "harness/wire/l3/icmp_too_big.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "impl/bytes/internet_checksum.hpp"
#include "impl/bytes/writer.hpp"

namespace wireproof::wire::l3 {
namespace {

constexpr std::uint8_t kHopLimit = 64;

template <std::size_t N>
std::array<std::uint8_t, N> address(const char* text, int family) {
  std::array<std::uint8_t, N> a{};
  if (::inet_pton(family, text, a.data()) != 1) throw std::logic_error(std::string("bad router address ") + text);
  return a;
}

std::vector<std::uint8_t> ipv4(std::span<const std::uint8_t> packet, int mtu) {
  if (packet.size() < 20) throw std::invalid_argument("icmp_too_big: IPv4 packet shorter than its header");
  constexpr std::size_t kIp = 20, kIcmp = 8;
  const auto quote = packet.first(std::min(packet.size(), kIcmpV4MaxBytes - kIp - kIcmp));
  bytes::Writer w;
  w.put_u8(0x45);
  w.put_u8(0xc0);  // precedence "internetwork control", as routers (and Linux) send ICMP errors
  w.put_u16(static_cast<std::uint16_t>(kIp + kIcmp + quote.size()));
  w.put_u16(0);    // identification
  w.put_u16(0);    // no DF: an ICMP error may be fragmented
  w.put_u8(kHopLimit);
  w.put_u8(1);     // ICMP
  w.put_u16(0);    // header checksum, patched
  w.put_bytes(address<4>(kRouterAddressV4, AF_INET));
  w.put_bytes(packet.subspan(12, 4));  // to the packet's source
  w.put_u8(3);     // destination unreachable
  w.put_u8(4);     // fragmentation needed and DF set
  w.put_u16(0);    // checksum, patched
  w.put_u16(0);    // unused
  w.put_u16(static_cast<std::uint16_t>(mtu));  // next-hop MTU (RFC 1191 4)
  w.put_bytes(quote);
  const std::span<const std::uint8_t> out(w.data());
  bytes::InternetChecksum ip;
  ip.add(out.first(kIp));
  w.patch_uint(10, 2, ip.value());
  bytes::InternetChecksum icmp;
  icmp.add(std::span<const std::uint8_t>(w.data()).subspan(kIp));
  w.patch_uint(kIp + 2, 2, icmp.value());
  return w.take();
}

std::vector<std::uint8_t> ipv6(std::span<const std::uint8_t> packet, int mtu) {
  if (packet.size() < 40) throw std::invalid_argument("icmp_too_big: IPv6 packet shorter than its header");
  constexpr std::size_t kIp = 40, kIcmp = 8;
  const auto quote = packet.first(std::min(packet.size(), kIcmpV6MaxBytes - kIp - kIcmp));
  const auto length = static_cast<std::uint16_t>(kIcmp + quote.size());
  const auto src = address<16>(kRouterAddressV6, AF_INET6);
  const auto dst = packet.subspan(8, 16);  // to the packet's source
  bytes::Writer w;
  w.put_u32(0x60000000);  // version 6, traffic class 0, flow label 0
  w.put_u16(length);
  w.put_u8(58);           // ICMPv6
  w.put_u8(kHopLimit);
  w.put_bytes(src);
  w.put_bytes(dst);
  w.put_u8(2);            // Packet Too Big
  w.put_u8(0);
  w.put_u16(0);           // checksum, patched
  w.put_u32(static_cast<std::uint32_t>(mtu));
  w.put_bytes(quote);
  bytes::InternetChecksum sum;  // pseudo-header (RFC 8200 8.1), then the message
  sum.add(src);
  sum.add(dst);
  sum.add_u32(length);
  sum.add_u32(58);
  sum.add(std::span<const std::uint8_t>(w.data()).subspan(kIp));
  w.patch_uint(kIp + 2, 2, sum.value());
  return w.take();
}

}  // namespace

std::vector<std::uint8_t> icmp_too_big(std::span<const std::uint8_t> packet, int mtu) {
  if (packet.empty()) throw std::invalid_argument("icmp_too_big: empty packet");
  switch (packet[0] >> 4) {
    case 4: return ipv4(packet, mtu);
    case 6: return ipv6(packet, mtu);
    default: throw std::invalid_argument("icmp_too_big: not an IPv4 or IPv6 packet");
  }
}

}  // namespace wireproof::wire::l3
