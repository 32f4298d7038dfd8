// The last stage of every direction: drops a datagram whose IP size (UDP
// payload + 28 bytes of IPv4 and UDP headers) exceeds the MTU in force, as a
// link with that MTU would (relay mode has no ICMP "fragmentation needed").
#pragma once

#include <fmt/format.h>

#include "harness/wire/transit.hpp"

namespace wireproof::wire {

inline constexpr std::size_t kIpUdpHeaderBytes = 28;

struct MtuCap {
  int mtu;
  void apply(Transit& t) const {
    if (t.dropped() || mtu <= 0) return;
    const std::size_t ip_size = t.event.size + kIpUdpHeaderBytes;
    if (ip_size <= static_cast<std::size_t>(mtu)) return;
    t.copies.clear();
    t.record("link", "mtu", fmt::format("ip_size {} > mtu {}", ip_size, mtu));
  }
};

}  // namespace wireproof::wire
