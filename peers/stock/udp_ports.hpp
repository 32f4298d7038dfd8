// UDP ports for a stock server: one picked free by the kernel, and whether
// some socket has bound a port yet (how we know a silent tool is listening).
#pragma once

#include <cstdint>

namespace wireproof::stock {

// Binds 127.0.0.1:0, reads the port, closes. Another process may take it
// before the tool binds it; the caller retries with a fresh one if so.
std::uint16_t pick_free_udp_port();

// True when /proc/net/udp or /proc/net/udp6 lists a socket bound to `port`.
bool udp_port_bound(std::uint16_t port);

}  // namespace wireproof::stock
