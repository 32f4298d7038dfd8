#include "harness/wire/tcp_inject.hpp"

#include <arpa/inet.h>

#include <array>

#include <fmt/format.h>

#include "harness/wire/tcp_segment_edit.hpp"
#include "impl/bytes/writer.hpp"

namespace wireproof::wire {

namespace {

Dir other(Dir d) { return d == Dir::c2s ? Dir::s2c : Dir::c2s; }

// The address's bytes (4 or 16), or empty if it is not a `version` address.
std::vector<std::uint8_t> address_bytes(const std::string& text, int version) {
  std::array<std::uint8_t, 16> out{};
  if (inet_pton(version == 4 ? AF_INET : AF_INET6, text.c_str(), out.data()) != 1) return {};
  return {out.begin(), out.begin() + (version == 4 ? 4 : 16)};
}

std::uint32_t resolve(const scenario::SeqExpr& e, const TcpTracker& t, Dir sender) {
  const TcpDirectionState& s = t.state(sender);
  std::uint32_t base = 0;
  switch (e.base) {
    case scenario::SeqExpr::Base::rcv_nxt: base = s.snd_nxt; break;
    case scenario::SeqExpr::Base::rcv_wnd_end:
      base = s.snd_nxt + static_cast<std::uint32_t>(t.scaled_window(other(sender)));
      break;
    case scenario::SeqExpr::Base::isn: base = s.isn; break;
    case scenario::SeqExpr::Base::snd_nxt: base = t.state(other(sender)).snd_nxt; break;
  }
  return base + static_cast<std::uint32_t>(e.offset);  // mod 2^32, as sequence numbers are
}

}  // namespace

Injection craft_injection(const TcpTracker& tracker, const scenario::Inject& inject) {
  Injection out;
  const Dir sender = inject.dir == scenario::Direction::s2c ? Dir::s2c : Dir::c2s;
  const TcpDirectionState& s = tracker.state(sender);
  const TcpDirectionState& r = tracker.state(other(sender));
  if (!s.syn_seen || !r.syn_seen) {
    out.error = "no connection tracked yet (both SYNs must have passed the wire)";
    return out;
  }
  const auto src = address_bytes(s.src, s.ip_version), dst = address_bytes(s.dst, s.ip_version);
  if (src.empty() || dst.empty()) {
    out.error = fmt::format("tracked addresses '{}' / '{}' are not IPv{}", s.src, s.dst, s.ip_version);
    return out;
  }
  out.tcp.src_port = s.src_port;
  out.tcp.dst_port = s.dst_port;
  out.tcp.seq = resolve(inject.seq, tracker, sender);
  out.tcp.ack = inject.ack ? resolve(*inject.ack, tracker, sender) : 0;
  out.tcp.flags = inject.flags;
  out.tcp.window = s.window;  // the forged sender's latest, so only seq/flags stand out
  out.tcp.payload_length = inject.payload_bytes;
  out.tcp.checksum_ok = true;

  const std::size_t ip_header = s.ip_version == 4 ? 20 : 40;
  const std::size_t tcp_length = 20 + inject.payload_bytes;
  bytes::Writer w;
  if (s.ip_version == 4) {
    w.put_u8(0x45);
    w.put_u8(0);
    w.put_u16(static_cast<std::uint16_t>(ip_header + tcp_length));
    w.put_u16(0);       // identification
    w.put_u16(0x4000);  // DF, as the stacks send
    w.put_u8(64);
    w.put_u8(6);
    w.put_u16(0);  // header checksum, filled below
  } else {
    w.put_u32(0x60000000);
    w.put_u16(static_cast<std::uint16_t>(tcp_length));
    w.put_u8(6);
    w.put_u8(64);
  }
  w.put_bytes(src);
  w.put_bytes(dst);
  w.put_u16(out.tcp.src_port);
  w.put_u16(out.tcp.dst_port);
  w.put_u32(out.tcp.seq);
  w.put_u32(out.tcp.ack);
  w.put_u8(5 << 4);
  w.put_u8(out.tcp.flags);
  w.put_u16(out.tcp.window);
  w.put_u16(0);  // checksum, filled below
  w.put_u16(0);  // urgent pointer
  w.put_zeros(inject.payload_bytes);
  out.packet = w.take();
  fix_tcp_checksums(out.packet, {s.ip_version, ip_header});
  out.ip = events::IpLayer{s.ip_version, s.src, s.dst, 6, 64, true, ip_header};
  return out;
}

}  // namespace wireproof::wire
