// Edits of one IPv4/IPv6 packet carrying a TCP segment, in place, that keep
// the packet valid (lengths, IPv4 header checksum, TCP checksum over the
// pseudo-header of RFC 9293 3.1 / RFC 8200 8.1). Sans-IO; the `rst` and
// `window` actions (tcp_impairments.hpp) and tests use them.
//
//   TcpPacketView v{4, 20};            // IP version, IP header length (events::IpLayer)
//   if (set_window(packet, v, 0)) ...  // false: not a whole TCP segment; unchanged
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wireproof::wire {

struct TcpPacketView {
  int ip_version = 4;            // 4 | 6
  std::size_t ip_header_length;  // IPv4 IHL*4; IPv6 40 + extension headers: where TCP starts
};

// Writes `window` into the advertised window field.
bool set_window(std::vector<std::uint8_t>& packet, const TcpPacketView& v, std::uint16_t window);

// Turns the segment into a bare RST with the same seq (and, if it had ACK,
// RST|ACK with the same ack): no options, no data, window 0.
bool to_reset(std::vector<std::uint8_t>& packet, const TcpPacketView& v);

// Recomputes the IPv4 header checksum (IPv4 only) and the TCP checksum.
void fix_tcp_checksums(std::vector<std::uint8_t>& packet, const TcpPacketView& v);

}  // namespace wireproof::wire
