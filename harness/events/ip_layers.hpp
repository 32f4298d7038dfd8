// The IP-layer view of one packet on the L3 wire (`wire: l3`), as the event log
// keeps it: the IP header fields checks judge, and the TCP segment or ICMP
// message it carries. Absent in UDP relay mode, where the wire sees payloads only.
// Filled from dissect::dissect_ip; docs/EVENTS.md "L3 layers" is the JSON form.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace wireproof::events {

struct IpLayer {
  int version = 4;              // 4 | 6
  std::string src, dst;         // "198.18.0.1", "2001:db8::1"
  int protocol = 0;             // transport: 6 tcp, 17 udp, 1 icmp, 58 icmpv6
  int ttl = 0;                  // hop limit for IPv6
  bool df = false;              // IPv4 don't-fragment (IPv6: never fragmented en route, so true)
  std::size_t header_length = 0;
};

namespace tcp_flags {
inline constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10, urg = 0x20,
                              ece = 0x40, cwr = 0x80;
// Each flag's name, in the event log's JSON and in scenario matches (one table for both).
inline constexpr std::array<std::pair<std::uint8_t, std::string_view>, 8> kNames{
    {{fin, "fin"}, {syn, "syn"}, {rst, "rst"}, {psh, "psh"}, {ack, "ack"}, {urg, "urg"}, {ece, "ece"}, {cwr, "cwr"}}};
}

struct TcpLayer {
  std::uint16_t src_port = 0, dst_port = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;               // tcp_flags bits; JSON: ["syn","ack"]
  std::uint16_t window = 0;             // as sent, not scaled
  std::uint16_t urgent_pointer = 0;
  std::size_t payload_length = 0;       // data bytes (== Datagram::size)
  bool checksum_ok = false;
  std::optional<std::uint16_t> mss;
  std::optional<int> window_scale;
  bool sack_permitted = false;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sack;  // SACK blocks [left, right)
  std::optional<std::uint32_t> ts_val, ts_ecr;                // RFC 7323 timestamps

  bool has(std::uint8_t f) const { return (flags & f) != 0; }
  // Sequence space the segment occupies: data bytes, plus one each for SYN and FIN.
  std::uint32_t seq_length() const {
    return static_cast<std::uint32_t>(payload_length) + (has(tcp_flags::syn) ? 1u : 0u) + (has(tcp_flags::fin) ? 1u : 0u);
  }
};

struct IcmpLayer {
  bool v6 = false;
  int type = 0, code = 0;
  std::optional<std::uint32_t> mtu;      // next-hop MTU: frag-needed (3/4) or ICMPv6 Packet Too Big
  // Whose packet an error message quotes.
  std::optional<int> quoted_protocol;
  std::optional<std::uint16_t> quoted_src_port, quoted_dst_port;
  std::optional<std::uint32_t> quoted_tcp_seq;
  bool is_frag_needed() const { return !v6 && type == 3 && code == 4; }
  bool is_packet_too_big() const { return v6 && type == 2; }
};

std::string tcp_flags_text(std::uint8_t flags);  // "SYN|ACK", for messages

nlohmann::json to_json(const IpLayer& l);
nlohmann::json to_json(const TcpLayer& l);
nlohmann::json to_json(const IcmpLayer& l);
IpLayer ip_layer_from(const nlohmann::json& j);    // throws naming the field
TcpLayer tcp_layer_from(const nlohmann::json& j);
IcmpLayer icmp_layer_from(const nlohmann::json& j);

}  // namespace wireproof::events
