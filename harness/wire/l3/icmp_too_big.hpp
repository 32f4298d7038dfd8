// The ICMP error the L3 wire's "router" sends back when a packet is too big
// for the link MTU, so the sender's path-MTU discovery works as on a real path:
//   IPv4: Destination Unreachable, Fragmentation Needed and DF set (type 3
//         code 4) with the next-hop MTU (RFC 1191 4), quoting as much of the
//         packet as fits in 576 bytes (RFC 1812 4.3.2.3). Linux needs the quoted
//         TCP header (ports, sequence) to find the socket; RFC 792's "IP header
//         + 8 bytes" is the minimum, more is allowed and helps.
//   IPv6: Packet Too Big (RFC 4443 3.2) with the MTU, quoting as much as fits
//         in the IPv6 minimum MTU of 1280 bytes.
// From the wire's own address (198.18.0.254 / 2001:db8::fe) to the packet's
// source, with valid checksums (ICMPv6 over its pseudo-header, RFC 4443 2.3).
//
//   std::vector<std::uint8_t> icmp = icmp_too_big(packet, 1280);
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace wireproof::wire::l3 {

inline constexpr const char* kRouterAddressV4 = "198.18.0.254";
inline constexpr const char* kRouterAddressV6 = "2001:db8::fe";
inline constexpr std::size_t kIcmpV4MaxBytes = 576;   // RFC 1812 4.3.2.3
inline constexpr std::size_t kIcmpV6MaxBytes = 1280;  // RFC 4443 2.4 (c)
// Linux never takes a learned IPv4 path MTU below net.ipv4.route.min_pmtu
// (default 552): a frag-needed with a smaller next-hop MTU makes it use 552
// and lock the route's MTU (ip_rt_update_pmtu / __ip_rt_update_pmtu).
inline constexpr int kLinuxMinPmtuV4 = 552;
inline constexpr int kIpv6MinMtu = 1280;  // RFC 8200 5: no link is smaller

// Throws std::invalid_argument unless `packet` starts with an IPv4 or IPv6 header.
std::vector<std::uint8_t> icmp_too_big(std::span<const std::uint8_t> packet, int mtu);

}  // namespace wireproof::wire::l3
