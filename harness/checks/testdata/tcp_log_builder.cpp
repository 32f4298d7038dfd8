#include "harness/checks/testdata/tcp_log_builder.hpp"

#include <cmath>

#include "impl/crypto/types.hpp"

namespace wireproof::checks::testing {

namespace f = events::tcp_flags;

namespace {
std::int64_t us(double ms) { return static_cast<std::int64_t>(std::llround(ms * 1000.0)); }
// The byte at stream offset o: differs between neighbours and between directions.
std::uint8_t stream_byte(std::uint64_t o, std::uint8_t salt) {
  return static_cast<std::uint8_t>(o * 131 + o / 251 + salt);
}
}  // namespace

TcpLogBuilder::TcpLogBuilder(LogBuilder& b, int ip_version) : b_(b), ip_version_(ip_version) {
  const bool v6 = ip_version == 6;
  client_ = Side{"c2s", v6 ? "2001:db8::1" : "198.18.0.1", 40000, 3000000000u, {}, false, 502};
  // Near the top of the 32-bit space: the server's numbers wrap during a test.
  server_ = Side{"s2c", v6 ? "2001:db8::2" : "198.18.0.2", 5000, 0xffffff00u, {}, false, 502};
}

events::Datagram& TcpLogBuilder::segment(const std::string& dir, double t_ms, std::uint8_t flags, std::uint32_t seq,
                                         std::uint32_t ack, Bytes payload) {
  Side& s = side(dir);
  Side& p = peer(dir);
  events::Datagram d;
  d.dir = dir;
  d.t_us = us(t_ms);
  events::IpLayer ip;
  ip.version = ip_version_;
  ip.src = s.address;
  ip.dst = p.address;
  ip.protocol = 6;
  ip.ttl = 64;
  ip.df = true;
  ip.header_length = ip_version_ == 6 ? 40 : 20;
  events::TcpLayer tcp;
  tcp.src_port = s.port;
  tcp.dst_port = p.port;
  tcp.seq = seq;
  tcp.ack = ack;
  tcp.flags = flags;
  tcp.window = s.window;
  tcp.payload_length = payload.size();
  tcp.checksum_ok = true;
  if (!(flags & f::syn)) tcp.ts_val = static_cast<std::uint32_t>(d.t_us / 1000), tcp.ts_ecr = 1;
  d.ip = ip;
  d.size = payload.size();
  d.ip_size = payload.size() + ip.header_length + 32;  // 20 + 12 bytes of timestamp option
  d.payload = std::move(payload);
  d.tcp = tcp;
  d.deliveries_us = {d.t_us + 50};
  return b_.add(std::move(d));
}

events::Datagram& TcpLogBuilder::too_big_reply(const std::string& about, double t_ms, std::uint32_t mtu) {
  const bool v6 = ip_version_ == 6;
  events::Datagram d;
  d.dir = about == "c2s" ? "s2c" : "c2s";
  d.t_us = us(t_ms);
  d.origin = "wire";
  d.ip = events::IpLayer{ip_version_, v6 ? "2001:db8::fe" : "198.18.0.254", side(about).address, v6 ? 58 : 1, 64, v6,
                         v6 ? 40u : 20u};
  events::IcmpLayer icmp;
  icmp.v6 = v6;
  icmp.type = v6 ? 2 : 3;
  icmp.code = v6 ? 0 : 4;
  icmp.mtu = mtu;
  icmp.quoted_protocol = 6;
  icmp.quoted_src_port = side(about).port;
  icmp.quoted_dst_port = peer(about).port;
  d.icmp = icmp;
  d.ip_size = 576;
  d.deliveries_us = {d.t_us + 50};
  return b_.add(std::move(d));
}

events::Datagram& TcpLogBuilder::dropped_too_big(events::Datagram& d) {
  d.fate = "dropped";
  d.deliveries_us.clear();
  d.actions.push_back({"link", "mtu", "ip_size > mtu"});
  return d;
}

events::Datagram& TcpLogBuilder::syn(const std::string& dir, double t_ms, const SynOptions& o) {
  Side& s = side(dir);
  const bool client = dir == "c2s";
  auto& d = segment(dir, t_ms, client ? f::syn : (f::syn | f::ack), s.isn, client ? 0 : peer(dir).isn + 1);
  auto& tcp = *d.tcp;
  tcp.window = o.window;
  tcp.mss = o.mss;
  tcp.window_scale = o.window_scale;
  tcp.sack_permitted = o.sack_permitted;
  if (o.timestamps) tcp.ts_val = static_cast<std::uint32_t>(d.t_us / 1000), tcp.ts_ecr = 0;
  else tcp.ts_val.reset(), tcp.ts_ecr.reset();
  d.ip_size = d.ip->header_length + 40;
  return d;
}

events::Datagram& TcpLogBuilder::ack(const std::string& dir, double t_ms) {
  Side& s = side(dir);
  return segment(dir, t_ms, f::ack, next_seq(s), next_seq(peer(dir)));
}

events::Datagram& TcpLogBuilder::ack_upto(const std::string& dir, double t_ms, std::uint64_t upto,
                                          std::vector<std::pair<std::uint64_t, std::uint64_t>> sack) {
  Side& s = side(dir);
  const std::uint32_t base = peer(dir).isn + 1;
  auto& d = segment(dir, t_ms, f::ack, next_seq(s), base + static_cast<std::uint32_t>(upto));
  for (const auto& [l, r] : sack)
    d.tcp->sack.emplace_back(base + static_cast<std::uint32_t>(l), base + static_cast<std::uint32_t>(r));
  return d;
}

events::Datagram& TcpLogBuilder::data(const std::string& dir, double t_ms, std::size_t n) {
  Side& s = side(dir);
  const std::uint32_t seq = next_seq(s);
  const std::uint8_t salt = dir == "c2s" ? 0 : 77;
  Bytes payload(n);
  for (std::size_t k = 0; k < n; ++k) payload[k] = stream_byte(s.stream.size() + k, salt);
  s.stream.insert(s.stream.end(), payload.begin(), payload.end());
  return segment(dir, t_ms, f::ack | f::psh, seq, next_seq(peer(dir)), std::move(payload));
}

events::Datagram& TcpLogBuilder::data(const std::string& dir, double t_ms, Bytes payload) {
  Side& s = side(dir);
  const std::uint32_t seq = next_seq(s);
  s.stream.insert(s.stream.end(), payload.begin(), payload.end());
  return segment(dir, t_ms, f::ack | f::psh, seq, next_seq(peer(dir)), std::move(payload));
}

events::Datagram& TcpLogBuilder::resend(const std::string& dir, double t_ms, std::uint64_t offset, std::size_t n) {
  Side& s = side(dir);
  Bytes payload(s.stream.begin() + static_cast<std::ptrdiff_t>(offset),
                s.stream.begin() + static_cast<std::ptrdiff_t>(offset + n));
  return segment(dir, t_ms, f::ack | f::psh, s.isn + 1 + static_cast<std::uint32_t>(offset), next_seq(peer(dir)),
                 std::move(payload));
}

events::Datagram& TcpLogBuilder::fin(const std::string& dir, double t_ms) {
  Side& s = side(dir);
  const std::uint32_t seq = next_seq(s);
  s.fin_sent = true;
  return segment(dir, t_ms, f::fin | f::ack, seq, next_seq(peer(dir)));
}

events::Datagram& TcpLogBuilder::rst(const std::string& dir, double t_ms) {
  Side& s = side(dir);
  return segment(dir, t_ms, f::rst | f::ack, next_seq(s), next_seq(peer(dir)));
}

void TcpLogBuilder::handshake(double t_ms, const SynOptions& client, const SynOptions& server) {
  syn("c2s", t_ms, client);
  syn("s2c", t_ms + 0.1, server);
  ack("c2s", t_ms + 0.2);
}

void TcpLogBuilder::next_connection() {
  client_ = Side{client_.dir, client_.address, static_cast<std::uint16_t>(client_.port + 1), client_.isn + 7000000u, {},
                 false, 502};
  server_ = Side{server_.dir, server_.address, server_.port, server_.isn + 9000000u, {}, false, 502};
}

std::string TcpLogBuilder::sha256(const std::string& dir) {
  return events::to_hex(crypto::digest(crypto::Hash::sha256, side(dir).stream));
}

}  // namespace wireproof::checks::testing
