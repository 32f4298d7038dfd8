// wireproof-lwip's command line: the TCP peer contract (peers/CONTRACT.md
// "TCP", interfaces of issue 9 section 2) plus the user-space stack's own two
// options, --packet-fd and --local-address. Parsing never exits the process:
// it returns what to print and the exit code (3 bad value, 127 unsupported),
// like parse_peer_options for DTLS.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "peers/common/options.hpp"

namespace wireproof::peers::lwip {

enum class Workload { echo, bulk, stall, keepalive, half_close, abort_unread, linger_abort };

struct Keepalive {
  int idle_s = 0, intvl_s = 0, count = 0;
};

struct LwipOptions {
  Role role = Role::client;
  HostPort listen;   // server; host is a plain address ("198.18.0.2", "2001:db8::2")
  HostPort connect;  // client
  Workload workload = Workload::echo;
  std::uint64_t echo_bytes = 0;
  std::uint32_t chunk = 1000;
  int stall_ms = 0;
  std::optional<Keepalive> keepalive;
  int idle_timeout_ms = 5000;
  int handshake_timeout_ms = 30000;
  int mtu = 1500;        // the netif's MTU
  int packet_fd = -1;    // SOCK_SEQPACKET: one read or write is one IP packet
  std::string local_address;
};

// Either options to run with, or a finished outcome (--version, --help, an
// error) to print and exit with.
struct LwipParseResult {
  std::optional<LwipOptions> options;
  ParseResult outcome;
};

// args excludes argv[0]. The packet fd is checked here too (a socket of type
// SOCK_SEQPACKET), so a wrong fd is a usage error, not a silent hang.
LwipParseResult parse_lwip_options(const std::vector<std::string>& args, const PeerIdentity& id);

const char* workload_name(Workload w);

}  // namespace wireproof::peers::lwip
