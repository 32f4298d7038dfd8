#include "harness/dissect/ip_dissector.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include <fmt/format.h>

#include "impl/bytes/internet_checksum.hpp"
#include "impl/bytes/reader.hpp"

namespace wireproof::dissect {

using bytes::InternetChecksum;
using bytes::Reader;
using Bytes = std::span<const std::uint8_t>;

std::string IpAddress::to_string() const {
  if (version == 4) {
    // The dotted quad by hand, as inet_ntop writes it ("%u.%u.%u.%u"): the L3
    // wire formats two addresses a packet, and inet_ntop's sprintf was ~3% of
    // its CPU (perf, bench/l3).
    std::string text;
    text.reserve(15);
    for (std::size_t k = 0; k < 4; ++k) {
      if (k) text += '.';
      const unsigned v = bytes[k];
      if (v >= 100) text += static_cast<char>('0' + v / 100);
      if (v >= 10) text += static_cast<char>('0' + v / 10 % 10);
      text += static_cast<char>('0' + v % 10);
    }
    return text;
  }
  char text[INET6_ADDRSTRLEN] = {};
  if (version != 6) return "?";
  inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
  return text;
}

namespace {

constexpr std::size_t kIpv6Header = 40;

// Collects the first fault; decoding goes on where it still can.
struct Faults {
  std::optional<std::string>& first;
  template <typename... Args>
  void note(fmt::format_string<Args...> f, Args&&... args) {
    if (!first) first = fmt::format(f, std::forward<Args>(args)...);
  }
};

bool get_address(Reader& r, std::uint8_t version, IpAddress& out) {
  Bytes b;
  if (!r.get_bytes(version == 4 ? 4 : 16, b)) return false;
  out.version = version;
  std::copy(b.begin(), b.end(), out.bytes.begin());
  return true;
}

// Offset of the reader's position within the packet it was cut from.
std::size_t offset_in(Bytes packet, const Reader& r) {
  return static_cast<std::size_t>(r.rest().data() - packet.data());
}

// The pseudo-header sum: RFC 9293 3.1 (IPv4), RFC 8200 8.1 (IPv6).
InternetChecksum pseudo_header(const IpHeader& ip, std::uint8_t protocol, std::size_t length) {
  InternetChecksum c;
  c.add(ip.src.view());
  c.add(ip.dst.view());
  if (ip.version == 4) {
    c.add_u16(protocol);  // a zero byte, then the protocol
    c.add_u16(static_cast<std::uint16_t>(length));
  } else {
    c.add_u32(static_cast<std::uint32_t>(length));
    c.add_u32(protocol);  // three zero bytes, then the next header
  }
  return c;
}

// IPv4 header after the version nibble was peeked. `quoted`: the packet is the
// start of one an ICMP error quotes, so its stated length exceeds what is here.
// Returns a reader over the IP payload, or nullopt when the header is unusable.
std::optional<Reader> parse_ipv4(Reader& r, IpHeader& ip, Faults faults, bool quoted) {
  Reader start = r;
  std::uint8_t vihl = 0, ttl = 0, proto = 0;
  std::uint16_t total = 0, id = 0, frag = 0, sum = 0;
  if (!r.get_u8(vihl) || !r.get_u8(ip.dscp_ecn) || !r.get_u16(total) || !r.get_u16(id) || !r.get_u16(frag) ||
      !r.get_u8(ttl) || !r.get_u8(proto) || !r.get_u16(sum) || !get_address(r, 4, ip.src) ||
      !get_address(r, 4, ip.dst)) {
    faults.note("ipv4.header: {} bytes, the fixed header needs 20", start.remaining());
    return std::nullopt;
  }
  ip.version = 4;
  ip.ihl = vihl & 0x0f;
  ip.total_length = total;
  ip.identification = id;
  ip.df = frag & 0x4000;
  ip.mf = frag & 0x2000;
  ip.fragment_offset = frag & 0x1fff;
  ip.ttl = ttl;
  ip.protocol = proto;
  ip.header_checksum = sum;
  ip.header_length = std::size_t{ip.ihl} * 4;
  if (ip.ihl < 5) {
    faults.note("ipv4.ihl: {} words, the minimum is 5", ip.ihl);
    return std::nullopt;
  }
  Bytes options;
  if (!r.get_bytes(ip.header_length - 20, options)) {
    faults.note("ipv4.ihl: {} bytes of header, {} captured", ip.header_length, start.remaining());
    return std::nullopt;
  }
  ip.options.assign(options.begin(), options.end());
  InternetChecksum check;
  check.add(start.rest().first(ip.header_length));
  ip.header_checksum_ok = check.verifies();
  if (frag & 0x8000) faults.note("ipv4.flags: the reserved bit is set (RFC 791 3.1: must be zero)");
  if (!quoted && !ip.header_checksum_ok) faults.note("ipv4.header_checksum: 0x{:04x} does not verify", sum);
  if (total < ip.header_length) {
    faults.note("ipv4.total_length: {} is shorter than the {}-byte header", total, ip.header_length);
    return std::nullopt;
  }
  std::size_t payload = total - ip.header_length;
  if (quoted) return Reader(r.rest().first(std::min(payload, r.remaining())));
  if (total > start.remaining()) {
    faults.note("ipv4.total_length: {} exceeds the {} bytes captured", total, start.remaining());
    return std::nullopt;
  }
  Reader body;
  r.get_sub(payload, body);
  // A TUN packet has no link padding: bytes past the stated length are a fault.
  if (!r.empty()) faults.note("ipv4.total_length: {}, the packet has {} bytes", total, start.remaining());
  return body;
}

// IPv6 fixed header, then the extension headers RFC 8200 4.1 lets a transit
// node see: hop-by-hop, routing, destination options (each length-checked)
// and a fragment header (noted). The payload reader starts at the transport.
std::optional<Reader> parse_ipv6(Reader& r, IpHeader& ip, Faults faults, bool quoted) {
  Reader start = r;
  std::uint32_t first = 0;
  std::uint16_t payload = 0;
  std::uint8_t next = 0, hops = 0;
  if (!r.get_u32(first) || !r.get_u16(payload) || !r.get_u8(next) || !r.get_u8(hops) ||
      !get_address(r, 6, ip.src) || !get_address(r, 6, ip.dst)) {
    faults.note("ipv6.header: {} bytes, the fixed header needs 40", start.remaining());
    return std::nullopt;
  }
  ip.version = 6;
  ip.dscp_ecn = static_cast<std::uint8_t>(first >> 20);
  ip.flow_label = first & 0xfffff;
  ip.ttl = hops;
  ip.total_length = kIpv6Header + payload;
  Reader body;
  if (quoted) {
    body = Reader(r.rest().first(std::min<std::size_t>(payload, r.remaining())));
  } else if (!r.get_sub(payload, body)) {
    faults.note("ipv6.payload_length: {} exceeds the {} bytes captured after the header", payload, r.remaining());
    return std::nullopt;
  } else if (!r.empty()) {
    faults.note("ipv6.payload_length: {}, the packet has {} bytes after the header", payload,
                payload + r.remaining());
  }
  ip.header_length = kIpv6Header;
  while (next == ip_proto::hop_by_hop || next == ip_proto::routing || next == ip_proto::destination_options ||
         next == ip_proto::fragment) {
    std::uint8_t following = 0, len = 0;
    if (!body.get_u8(following) || !body.get_u8(len)) {
      faults.note("ipv6.extension_header {}: truncated at offset {}", next, ip.header_length);
      return std::nullopt;
    }
    std::size_t size = next == ip_proto::fragment ? 8 : (std::size_t{len} + 1) * 8;
    Reader rest;
    if (!body.get_sub(size - 2, rest)) {
      faults.note("ipv6.extension_header {}: {} bytes at offset {}, {} left", next, size, ip.header_length,
                  body.remaining() + 2);
      return std::nullopt;
    }
    if (next == ip_proto::fragment) {
      Ipv6Fragment f;
      std::uint16_t offset_flags = 0;
      rest.get_u16(offset_flags);
      rest.get_u32(f.identification);
      f.offset = offset_flags >> 3;
      f.more = offset_flags & 1;
      ip.fragment = f;
    }
    ip.extension_headers.push_back(next);
    ip.header_length += size;
    next = following;
  }
  ip.protocol = next;
  return body;
}

// TCP options (RFC 9293 3.2): EOL ends the list, NOP is one byte, every other
// kind carries a length covering kind and length. A bad length ends parsing.
void parse_tcp_options(Reader r, TcpSegment& tcp, Faults faults) {
  while (!r.empty()) {
    std::uint8_t kind = 0, len = 0;
    const std::size_t left = r.remaining();  // from the kind byte on
    r.get_u8(kind);
    tcp.option_kinds.push_back(kind);
    if (kind == tcp_option::eol) return;
    if (kind == tcp_option::nop) continue;
    Reader body;
    if (!r.get_u8(len)) {
      faults.note("tcp.option {}: no length byte (the option list ends)", kind);
      return;
    }
    if (len < 2 || len > left) {
      faults.note("tcp.option {}: length {}, {} bytes of options left", kind, len, left);
      return;
    }
    r.get_sub(len - 2u, body);
    auto expect = [&](std::size_t want, const char* name) {
      if (len == want) return true;
      faults.note("tcp.option {}: length {}, expected {}", name, len, want);
      return false;
    };
    switch (kind) {
      case tcp_option::mss:
        if (std::uint16_t v = 0; expect(4, "mss") && body.get_u16(v)) tcp.mss = v;
        break;
      case tcp_option::window_scale:
        if (std::uint8_t v = 0; expect(3, "window_scale") && body.get_u8(v)) tcp.window_scale = v;
        break;
      case tcp_option::sack_permitted:
        if (expect(2, "sack_permitted")) tcp.sack_permitted = true;
        break;
      case tcp_option::sack:
        if (len < 10 || (len - 2) % 8 != 0) {
          faults.note("tcp.option sack: length {}, expected 2 + 8n with n >= 1", len);
          break;
        }
        while (!body.empty()) {
          SackBlock b;
          body.get_u32(b.left);
          body.get_u32(b.right);
          tcp.sack_blocks.push_back(b);
        }
        break;
      case tcp_option::timestamps:
        if (TcpTimestamps ts; expect(10, "timestamps") && body.get_u32(ts.value) && body.get_u32(ts.echo_reply))
          tcp.timestamps = ts;
        break;
      default: {
        TcpOption o{kind, {body.rest().begin(), body.rest().end()}};
        tcp.unknown_options.push_back(std::move(o));
      }
    }
  }
}

void parse_tcp(Bytes packet, Reader r, IpPacket& p, Faults faults) {
  Reader start = r;
  TcpSegment tcp;
  std::uint16_t offset_flags = 0;
  if (!r.get_u16(tcp.src_port) || !r.get_u16(tcp.dst_port) || !r.get_u32(tcp.seq) || !r.get_u32(tcp.ack) ||
      !r.get_u16(offset_flags) || !r.get_u16(tcp.window) || !r.get_u16(tcp.checksum) ||
      !r.get_u16(tcp.urgent_pointer)) {
    faults.note("tcp.header: {} bytes, the fixed header needs 20", start.remaining());
    return;
  }
  tcp.data_offset = static_cast<std::uint8_t>(offset_flags >> 12);
  tcp.flags = static_cast<std::uint8_t>(offset_flags);
  InternetChecksum check = pseudo_header(p.ip, ip_proto::tcp, start.remaining());
  check.add(start.rest());
  tcp.checksum_ok = check.verifies();
  if (!tcp.checksum_ok) faults.note("tcp.checksum: 0x{:04x} does not verify", tcp.checksum);
  std::size_t header = std::size_t{tcp.data_offset} * 4;
  Reader options;
  if (tcp.data_offset < 5) {
    faults.note("tcp.data_offset: {} words, the minimum is 5", tcp.data_offset);
  } else if (!r.get_sub(header - 20, options)) {
    faults.note("tcp.data_offset: {} bytes of header, the segment has {}", header, start.remaining());
  } else {
    parse_tcp_options(options, tcp, faults);
    tcp.payload_offset = offset_in(packet, r);
    tcp.payload_length = r.remaining();
  }
  p.tcp = std::move(tcp);
}

void parse_udp(Bytes packet, Reader r, IpPacket& p, Faults faults) {
  Reader start = r;
  UdpDatagram udp;
  if (!r.get_u16(udp.src_port) || !r.get_u16(udp.dst_port) || !r.get_u16(udp.length) || !r.get_u16(udp.checksum)) {
    faults.note("udp.header: {} bytes, the header needs 8", start.remaining());
    return;
  }
  udp.payload_offset = offset_in(packet, r);
  udp.payload_length = r.remaining();
  if (udp.length != start.remaining())  // the 8-byte header was read, so this also refuses a length under 8
    faults.note("udp.length: {}, the IP payload is {}", udp.length, start.remaining());
  udp.checksum_absent = udp.checksum == 0;
  if (udp.checksum_absent) {
    udp.checksum_ok = p.ip.version == 4;  // RFC 768: zero means none; RFC 8200 8.1: not over IPv6
    if (p.ip.version == 6) faults.note("udp.checksum: zero, which IPv6 does not allow (RFC 8200 8.1)");
  } else {
    InternetChecksum check = pseudo_header(p.ip, ip_proto::udp, start.remaining());
    check.add(start.rest());
    udp.checksum_ok = check.verifies();
    if (!udp.checksum_ok) faults.note("udp.checksum: 0x{:04x} does not verify", udp.checksum);
  }
  p.udp = udp;
}

// The quoted packet of an ICMP error: its IP header and the first 8 bytes of
// its transport (RFC 792; RFC 4443 quotes as much as fits). Faults found here
// name the field under "icmp.quoted.".
void parse_quoted(Reader r, IcmpMessage& icmp, Faults faults) {
  std::optional<std::string> inner_fault;
  Faults inner{inner_fault};
  IpHeader ip;
  std::uint8_t vihl = 0;
  Reader peek = r;
  if (!peek.get_u8(vihl)) {
    faults.note("icmp.quoted: empty");
    return;
  }
  std::uint8_t version = vihl >> 4;
  std::optional<Reader> body;
  if (version == 4) body = parse_ipv4(r, ip, inner, true);
  else if (version == 6) body = parse_ipv6(r, ip, inner, true);
  else inner.note("ip.version: {}", version);
  if (inner_fault) faults.note("icmp.quoted.{}", *inner_fault);
  if (!body) return;
  // RFC 792 quotes the header and 64 bits of data: enough to name the flow.
  if (body->remaining() < 8 && !ip.is_fragment())
    faults.note("icmp.quoted: {} bytes after the IP header, at least 8 are quoted (RFC 792, RFC 4443 2.4)",
                body->remaining());
  QuotedPacket q;
  q.version = ip.version;
  q.src = ip.src;
  q.dst = ip.dst;
  q.protocol = ip.protocol;
  if (q.protocol == ip_proto::tcp || q.protocol == ip_proto::udp) {
    std::uint16_t sport = 0, dport = 0;
    if (body->get_u16(sport) && body->get_u16(dport)) {
      q.src_port = sport;
      q.dst_port = dport;
    }
    if (std::uint32_t seq = 0; q.protocol == ip_proto::tcp && body->get_u32(seq)) q.tcp_seq = seq;
  }
  icmp.quoted = q;
}

bool is_error_message(const IcmpMessage& m) {
  return m.v6 ? m.type < 128 : (m.type == 3 || m.type == 4 || m.type == 5 || m.type == 11 || m.type == 12);
}

void parse_icmp(Reader r, IpPacket& p, Faults faults) {
  Reader start = r;
  IcmpMessage icmp;
  icmp.v6 = p.ip.version == 6;
  std::uint32_t rest_of_header = 0;
  if (!r.get_u8(icmp.type) || !r.get_u8(icmp.code) || !r.get_u16(icmp.checksum) || !r.get_u32(rest_of_header)) {
    faults.note("{}.header: {} bytes, the header needs 8", icmp.v6 ? "icmpv6" : "icmp", start.remaining());
    return;
  }
  InternetChecksum check =
      icmp.v6 ? pseudo_header(p.ip, ip_proto::icmpv6, start.remaining()) : InternetChecksum{};
  check.add(start.rest());
  icmp.checksum_ok = check.verifies();
  if (!icmp.checksum_ok) faults.note("{}.checksum: 0x{:04x} does not verify", icmp.v6 ? "icmpv6" : "icmp", icmp.checksum);
  if (icmp.is_frag_needed()) icmp.mtu = rest_of_header & 0xffff;  // RFC 1191 4: the low 16 bits
  if (icmp.is_packet_too_big()) icmp.mtu = rest_of_header;       // RFC 4443 3.2
  if (is_error_message(icmp)) parse_quoted(r, icmp, faults);
  p.icmp = std::move(icmp);
}

}  // namespace

IpPacket dissect_ip(std::span<const std::uint8_t> packet) {
  IpPacket p;
  Faults faults{p.malformed};
  Reader r(packet);
  Reader peek = r;
  std::uint8_t first = 0;
  if (!peek.get_u8(first)) {
    faults.note("ip.version: empty packet");
    return p;
  }
  std::optional<Reader> body;
  switch (first >> 4) {
    case 4: body = parse_ipv4(r, p.ip, faults, false); break;
    case 6: body = parse_ipv6(r, p.ip, faults, false); break;
    default: faults.note("ip.version: {}, expected 4 or 6", first >> 4); return p;
  }
  if (!body || p.ip.is_fragment()) return p;
  switch (p.ip.protocol) {
    case ip_proto::tcp: parse_tcp(packet, *body, p, faults); break;
    case ip_proto::udp: parse_udp(packet, *body, p, faults); break;
    case ip_proto::icmp:
      if (p.ip.version == 4) parse_icmp(*body, p, faults);
      break;
    case ip_proto::icmpv6:
      if (p.ip.version == 6) parse_icmp(*body, p, faults);
      break;
    default: break;
  }
  return p;
}

}  // namespace wireproof::dissect
