// The last stage of every direction: drops a datagram whose IP size exceeds
// the MTU in force, as a link with that MTU would.
//   Relay mode: the IP size is the UDP payload + 28 bytes of IPv4 and UDP
//   headers; there is no ICMP (the peers' sockets are on loopback).
//   L3 wire: the IP size is the packet's real length. A too-big packet with DF
//   (IPv4) or any IPv6 packet is answered, unless link.icmp is false (a black
//   hole), with an ICMP frag-needed / Packet Too Big back to its sender
//   (l3/icmp_too_big.hpp), which Link logs as its own `origin: wire` packet.
//   Without DF (IPv4) the wire fragments it as a router would (RFC 791;
//   l3/ipv4_fragment.hpp): its copies become the fragments, each delivered.
#pragma once

#include <fmt/format.h>

#include "harness/wire/l3/icmp_too_big.hpp"
#include "harness/wire/l3/ipv4_fragment.hpp"
#include "harness/wire/transit.hpp"

namespace wireproof::wire {

inline constexpr std::size_t kIpUdpHeaderBytes = 28;

struct MtuCap {
  int mtu;
  bool l3 = false;
  bool icmp = true;

  void apply(Transit& t) const {
    if (t.dropped() || mtu <= 0) return;
    const std::size_t ip_size = t.event.ip_size;
    if (ip_size <= static_cast<std::size_t>(mtu)) return;
    std::string detail = fmt::format("ip_size {} > mtu {}", ip_size, mtu);
    if (l3 && fragment(t)) return;
    if (l3) detail += l3_answer(t);
    t.copies.clear();
    t.record("link", "mtu", std::move(detail));
  }

 private:
  // An IPv4 packet without DF is cut into fragments (each copy into its own);
  // false when it has DF, is IPv6, or cannot be cut.
  bool fragment(Transit& t) const {
    const auto& ip = t.event.ip;
    if (!ip || ip->version != 4 || ip->df) return false;
    std::vector<Copy> pieces;
    for (const auto& c : t.copies)
      for (auto& f : l3::fragment_ipv4(c.bytes, mtu)) pieces.push_back(Copy{std::move(f), c.due_us});
    if (pieces.empty()) return false;
    t.record("link", "fragment",
             fmt::format("ip_size {} > mtu {}; DF not set: cut into {} fragments as a router would (RFC 791)",
                         t.event.ip_size, mtu, pieces.size() / t.copies.size()));
    t.copies = std::move(pieces);
    return true;
  }

  // Crafts the ICMP reply when one is due; returns what the log should say about it.
  std::string l3_answer(Transit& t) const {
    const auto& ip = t.event.ip;
    if (!ip) return "; not an IP packet: no ICMP";
    if (!ip->df) return "; DF not set but it cannot be cut (IP options, or an MTU below 28): dropped";
    if (!icmp) return "; link.icmp false: no ICMP (black hole)";
    // RFC 1122 3.2.2 / RFC 4443 2.4 (e): never an ICMP error about an ICMP error.
    if (t.event.icmp && (t.event.icmp->v6 ? t.event.icmp->type < 128 : t.event.icmp->type != 0 && t.event.icmp->type != 8))
      return "; an ICMP error itself: no ICMP about it";
    t.wire_reply = l3::icmp_too_big(t.copies.front().bytes, mtu);
    const bool v6 = ip->version == 6;
    std::string s = fmt::format("; {} mtu {} sent from {} to {}", v6 ? "ICMPv6 packet too big" : "ICMP frag-needed",
                                mtu, v6 ? l3::kRouterAddressV6 : l3::kRouterAddressV4, ip->src);
    if (!v6 && mtu < l3::kLinuxMinPmtuV4)
      s += fmt::format("; below min_pmtu {0}: Linux will use {0}", l3::kLinuxMinPmtuV4);
    if (v6 && mtu < l3::kIpv6MinMtu)
      s += fmt::format("; below the IPv6 minimum MTU {}: stacks ignore it (RFC 8200 5)", l3::kIpv6MinMtu);
    return s;
  }
};

}  // namespace wireproof::wire
