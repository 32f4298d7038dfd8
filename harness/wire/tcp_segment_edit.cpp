#include "harness/wire/tcp_segment_edit.hpp"

#include <span>

#include "impl/bytes/internet_checksum.hpp"

namespace wireproof::wire {

namespace {

constexpr std::size_t kTcpMinHeader = 20;
// Offsets inside the TCP header (RFC 9293 3.1).
constexpr std::size_t kDataOffset = 12, kFlags = 13, kWindow = 14, kChecksum = 16, kUrgent = 18;
constexpr std::uint8_t kRst = 0x04, kAck = 0x10;

void put16(std::vector<std::uint8_t>& p, std::size_t at, std::uint16_t v) {
  p[at] = static_cast<std::uint8_t>(v >> 8);
  p[at + 1] = static_cast<std::uint8_t>(v);
}

// The packet holds at least the IP header and a TCP header as long as its data offset says.
bool holds_tcp_header(const std::vector<std::uint8_t>& p, const TcpPacketView& v) {
  if ((v.ip_version != 4 && v.ip_version != 6) || p.size() < v.ip_header_length + kTcpMinHeader) return false;
  const std::size_t tcp_header = (p[v.ip_header_length + kDataOffset] >> 4) * 4u;
  return tcp_header >= kTcpMinHeader && p.size() >= v.ip_header_length + tcp_header;
}

}  // namespace

void fix_tcp_checksums(std::vector<std::uint8_t>& p, const TcpPacketView& v) {
  const std::size_t t = v.ip_header_length;
  const std::size_t tcp_length = p.size() - t;
  std::span<const std::uint8_t> bytes(p);
  bytes::InternetChecksum sum;
  if (v.ip_version == 4) {
    put16(p, 10, 0);
    bytes::InternetChecksum header;
    header.add(bytes.subspan(0, t));
    put16(p, 10, header.value());
    sum.add(bytes.subspan(12, 8));  // source and destination addresses
    sum.add_u16(6);                 // zero, protocol TCP
    sum.add_u16(static_cast<std::uint16_t>(tcp_length));
  } else {
    sum.add(bytes.subspan(8, 32));
    sum.add_u32(static_cast<std::uint32_t>(tcp_length));
    sum.add_u32(6);  // three zero bytes, next header TCP
  }
  put16(p, t + kChecksum, 0);
  sum.add(bytes.subspan(t));
  put16(p, t + kChecksum, sum.value());
}

bool set_window(std::vector<std::uint8_t>& p, const TcpPacketView& v, std::uint16_t window) {
  if (!holds_tcp_header(p, v)) return false;
  put16(p, v.ip_header_length + kWindow, window);
  fix_tcp_checksums(p, v);
  return true;
}

bool to_reset(std::vector<std::uint8_t>& p, const TcpPacketView& v) {
  if (!holds_tcp_header(p, v)) return false;
  const std::size_t t = v.ip_header_length;
  p.resize(t + kTcpMinHeader);
  p[t + kDataOffset] = 5 << 4;
  p[t + kFlags] = static_cast<std::uint8_t>(kRst | (p[t + kFlags] & kAck));
  put16(p, t + kWindow, 0);
  put16(p, t + kUrgent, 0);
  if (v.ip_version == 4)
    put16(p, 2, static_cast<std::uint16_t>(p.size()));       // total length
  else
    put16(p, 4, static_cast<std::uint16_t>(p.size() - 40));  // payload length (extension headers included)
  fix_tcp_checksums(p, v);
  return true;
}

}  // namespace wireproof::wire
