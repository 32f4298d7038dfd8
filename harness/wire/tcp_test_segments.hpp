// Test helper: a datagram event carrying a TCP segment between the harness's
// client (198.18.0.1 / 2001:db8::1, port 40000) and server (.2 / ::2, port 5000),
// as the L3 wire logs it. For tests of the TCP tracker, matches and actions.
#pragma once

#include <optional>
#include <string>

#include "harness/events/event_log.hpp"
#include "harness/wire/link.hpp"

namespace wireproof::wire::testing {

inline events::Datagram tcp_segment(Dir dir, std::uint8_t flags, std::uint32_t seq, std::size_t length,
                                    std::optional<int> window_scale = std::nullopt, std::uint16_t window = 1000,
                                    int ip_version = 4) {
  const bool c2s = dir == Dir::c2s;
  const std::string client = ip_version == 4 ? "198.18.0.1" : "2001:db8::1";
  const std::string server = ip_version == 4 ? "198.18.0.2" : "2001:db8::2";
  events::Datagram d;
  d.dir = c2s ? "c2s" : "s2c";
  d.size = length;
  d.ip = events::IpLayer{ip_version, c2s ? client : server, c2s ? server : client, 6, 64, true,
                         ip_version == 4 ? 20u : 40u};
  events::TcpLayer t;
  t.src_port = c2s ? 40000 : 5000;
  t.dst_port = c2s ? 5000 : 40000;
  t.seq = seq;
  t.flags = flags;
  t.payload_length = length;
  t.window = window;
  t.window_scale = window_scale;
  d.tcp = t;
  return d;
}

}  // namespace wireproof::wire::testing
