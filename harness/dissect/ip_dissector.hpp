// Dissects one raw IP packet, as read from a TUN device, into plain structs:
// IPv4 (RFC 791) or IPv6 (RFC 8200, hop-by-hop / routing / destination-options
// headers skipped, a fragment header noted), then TCP (RFC 9293, options of
// RFC 9293 3.2, RFC 7323, RFC 2018), UDP (RFC 768) or ICMP (RFC 792, RFC 1191)
// / ICMPv6 (RFC 4443) with the quoted packet of an error message.
//
//   IpPacket p = dissect_ip(packet);
//   if (p.tcp && (p.tcp->flags & tcp_flag::syn)) use(p.tcp->mss);
//   if (p.malformed) report(*p.malformed);   // "tcp.checksum: 0x1234 does not verify"
//
// Sans-IO and bounded: every byte is read through bytes::Reader and every
// length is checked before use. Anything inconsistent sets `malformed` to a
// reason naming the field (the first fault found); everything decoded up to
// there, and past a bad checksum, stays. Fragments are not reassembled: a
// fragmented packet's transport is not decoded (the wire sets DF everywhere).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace wireproof::dissect {

struct IpAddress {
  std::uint8_t version = 0;               // 4 or 6
  std::array<std::uint8_t, 16> bytes{};   // IPv4 uses the first 4
  std::span<const std::uint8_t> view() const { return {bytes.data(), version == 4 ? 4u : 16u}; }
  std::string to_string() const;          // "198.18.0.1", "2001:db8::1"
  bool operator==(const IpAddress&) const = default;
};

namespace ip_proto {
inline constexpr std::uint8_t icmp = 1, tcp = 6, udp = 17, icmpv6 = 58;
inline constexpr std::uint8_t hop_by_hop = 0, routing = 43, fragment = 44, destination_options = 60;
}  // namespace ip_proto

struct Ipv6Fragment {
  std::uint16_t offset = 0;   // in 8-byte units
  bool more = false;
  std::uint32_t identification = 0;
};

struct IpHeader {
  std::uint8_t version = 0;
  IpAddress src, dst;
  std::uint8_t ttl = 0;            // the hop limit for IPv6
  std::uint8_t protocol = 0;       // the transport's number; for IPv6 after extension headers
  std::size_t header_length = 0;   // IPv4 IHL*4; IPv6 40 + extension headers
  std::size_t total_length = 0;    // as the header states it (IPv6: 40 + payload length)
  std::uint8_t dscp_ecn = 0;       // IPv4 TOS / IPv6 traffic class
  // IPv4 only.
  std::uint8_t ihl = 0;
  std::uint16_t identification = 0;
  bool df = false, mf = false;
  std::uint16_t fragment_offset = 0;  // in 8-byte units
  std::uint16_t header_checksum = 0;
  bool header_checksum_ok = false;
  std::vector<std::uint8_t> options;  // IPv4 options, raw
  // IPv6 only.
  std::uint32_t flow_label = 0;
  std::vector<std::uint8_t> extension_headers;  // the next-header values skipped, in order
  std::optional<Ipv6Fragment> fragment;
  bool is_fragment() const { return mf || fragment_offset != 0 || (fragment && (fragment->more || fragment->offset)); }
};

namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10, urg = 0x20,
                              ece = 0x40, cwr = 0x80;
}
namespace tcp_option {
inline constexpr std::uint8_t eol = 0, nop = 1, mss = 2, window_scale = 3, sack_permitted = 4, sack = 5,
                              timestamps = 8;
}

struct TcpOption {  // an option this dissector does not decode, kept as sent
  std::uint8_t kind = 0;
  std::vector<std::uint8_t> data;  // after kind and length
};
struct SackBlock {
  std::uint32_t left = 0, right = 0;
  bool operator==(const SackBlock&) const = default;
};
struct TcpTimestamps {
  std::uint32_t value = 0, echo_reply = 0;
};

struct TcpSegment {
  std::uint16_t src_port = 0, dst_port = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t data_offset = 0;  // in 32-bit words
  std::uint8_t flags = 0;        // tcp_flag bits
  std::uint16_t window = 0;      // as sent, not scaled
  std::uint16_t checksum = 0;
  bool checksum_ok = false;      // over the pseudo-header (RFC 9293 3.1)
  std::uint16_t urgent_pointer = 0;
  std::vector<std::uint8_t> option_kinds;  // every option in order, NOP and EOL included
  std::optional<std::uint16_t> mss;
  std::optional<std::uint8_t> window_scale;
  bool sack_permitted = false;
  std::vector<SackBlock> sack_blocks;
  std::optional<TcpTimestamps> timestamps;
  std::vector<TcpOption> unknown_options;
  std::size_t payload_offset = 0;  // from the start of the packet
  std::size_t payload_length = 0;
};

struct UdpDatagram {
  std::uint16_t src_port = 0, dst_port = 0;
  std::uint16_t length = 0;
  std::uint16_t checksum = 0;
  bool checksum_absent = false;  // zero over IPv4 (RFC 768); never allowed over IPv6 (RFC 8200 8.1)
  bool checksum_ok = false;      // true when it verifies, or is absent over IPv4
  std::size_t payload_offset = 0;
  std::size_t payload_length = 0;
};

// The start of the packet an ICMP error quotes: whose packet it was about.
struct QuotedPacket {
  std::uint8_t version = 0;
  IpAddress src, dst;
  std::uint8_t protocol = 0;
  std::optional<std::uint16_t> src_port, dst_port;  // TCP and UDP
  std::optional<std::uint32_t> tcp_seq;
};

struct IcmpMessage {
  bool v6 = false;
  std::uint8_t type = 0, code = 0;
  std::uint16_t checksum = 0;
  bool checksum_ok = false;  // ICMPv6 includes the pseudo-header (RFC 4443 2.3)
  std::optional<std::uint32_t> mtu;  // next-hop MTU: IPv4 type 3 code 4 (RFC 1191 4), ICMPv6 Packet Too Big
  std::optional<QuotedPacket> quoted;
  bool is_frag_needed() const { return !v6 && type == 3 && code == 4; }
  bool is_packet_too_big() const { return v6 && type == 2; }
};

struct IpPacket {
  IpHeader ip;
  std::optional<TcpSegment> tcp;
  std::optional<UdpDatagram> udp;
  std::optional<IcmpMessage> icmp;
  std::optional<std::string> malformed;
};

IpPacket dissect_ip(std::span<const std::uint8_t> packet);

}  // namespace wireproof::dissect
