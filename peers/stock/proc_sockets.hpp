// A stock tool's sockets as the kernel lists them in /proc: a free port for a
// server to take, whether some socket has bound (UDP) or listens on (TCP) a
// port yet (how we know a silent tool is ready), and the TCP connection a
// tool holds (its `connected` event: the tools do not print their addresses;
// read from the tool's own socket, not /proc/net, see proc_sockets.cpp).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace wireproof::stock {

enum class Transport { udp, tcp };

// Binds HOST:0 (the server's --listen host: 198.18.0.2 in an L3 run's
// namespace, which has no 127.0.0.1), reads the port, closes. Another process
// may take it before the tool binds it; the caller retries with a fresh one if
// so. Throws std::runtime_error naming the host when it cannot be bound.
std::uint16_t pick_free_port(Transport t, const std::string& host);

// UDP: a socket is bound to `port`; TCP: one listens on it (/proc/net/{udp,tcp}{,6}).
bool port_ready(std::uint16_t port, Transport t);

// An established TCP connection, as "ADDR:PORT" ("[v6]:PORT" for IPv6).
struct TcpConnection {
  std::string local, remote;
};

// The first TCP socket among process `pid`'s open files whose connection is
// established (or, the peer gone, still held), if any; `pid` must be our child.
std::optional<TcpConnection> established_tcp(pid_t pid);

}  // namespace wireproof::stock
