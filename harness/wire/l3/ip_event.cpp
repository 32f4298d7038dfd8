#include "harness/wire/l3/ip_event.hpp"

#include <algorithm>

namespace wireproof::wire::l3 {

events::IpLayer to_ip_layer(const dissect::IpHeader& h) {
  events::IpLayer l;
  l.version = h.version;
  l.src = h.src.to_string();
  l.dst = h.dst.to_string();
  l.protocol = h.protocol;
  l.ttl = h.ttl;
  l.df = h.version == 6 || h.df;  // IPv6 routers never fragment (RFC 8200 5)
  l.header_length = h.header_length;
  return l;
}

events::TcpLayer to_tcp_layer(const dissect::TcpSegment& s) {
  events::TcpLayer l;
  l.src_port = s.src_port;
  l.dst_port = s.dst_port;
  l.seq = s.seq;
  l.ack = s.ack;
  l.flags = s.flags;
  l.window = s.window;
  l.urgent_pointer = s.urgent_pointer;
  l.payload_length = s.payload_length;
  l.checksum_ok = s.checksum_ok;
  l.mss = s.mss;
  if (s.window_scale) l.window_scale = *s.window_scale;
  l.sack_permitted = s.sack_permitted;
  for (const auto& b : s.sack_blocks) l.sack.emplace_back(b.left, b.right);
  if (s.timestamps) {
    l.ts_val = s.timestamps->value;
    l.ts_ecr = s.timestamps->echo_reply;
  }
  return l;
}

events::IcmpLayer to_icmp_layer(const dissect::IcmpMessage& m) {
  events::IcmpLayer l;
  l.v6 = m.v6;
  l.type = m.type;
  l.code = m.code;
  l.mtu = m.mtu;
  if (m.quoted) {
    l.quoted_protocol = m.quoted->protocol;
    l.quoted_src_port = m.quoted->src_port;
    l.quoted_dst_port = m.quoted->dst_port;
    l.quoted_tcp_seq = m.quoted->tcp_seq;
  }
  return l;
}

IpEventView ip_event_view(std::span<const std::uint8_t> packet) {
  IpEventView v;
  v.dissected = dissect::dissect_ip(packet);
  const auto& p = v.dissected;
  if (p.ip.version == 4 || p.ip.version == 6) v.ip = to_ip_layer(p.ip);
  std::size_t offset = 0, length = 0;
  if (p.tcp) {
    v.tcp = to_tcp_layer(*p.tcp);
    offset = p.tcp->payload_offset;
    length = p.tcp->payload_length;
  } else if (p.udp) {
    v.udp = true;
    offset = p.udp->payload_offset;
    length = p.udp->payload_length;
  } else if (p.icmp) {
    v.icmp = to_icmp_layer(*p.icmp);
  }
  // The dissector bounds-checks lengths; clamp anyway so a malformed packet can never read past its end.
  offset = std::min(offset, packet.size());
  length = std::min(length, packet.size() - offset);
  v.payload_offset = offset;
  v.payload_length = length;
  return v;
}

}  // namespace wireproof::wire::l3
