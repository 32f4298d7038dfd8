// The TCP peer contract's command line (peers/CONTRACT.md "TCP"), parsed with
// CLI11 like the DTLS one (options.hpp) and with its exit rules: 3 for a bad
// value, 127 for an option or value the peer does not implement. Shared by
// every TCP peer (the kernel shim; user-space stacks add --packet-fd).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "peers/common/options.hpp"

namespace wireproof::peers {

enum class TcpWorkload { echo, bulk, stall, keepalive, urgent, half_close, abort_unread, linger_abort, reconnect };

// reconnect (peers/CONTRACT.md "TCP"): the client's tries while the restarted
// server refuses (5 s in all), and how long that server does not listen.
constexpr int kReconnectTries = 50;
constexpr int kReconnectPauseMs = 100;
constexpr int kRestartDownMs = 200;

// "half-close" <-> TcpWorkload::half_close; nullopt for an unknown name.
std::optional<TcpWorkload> tcp_workload_from_name(const std::string& name);
std::string tcp_workload_name(TcpWorkload w);

struct Keepalive {
  int idle_s = 0, intvl_s = 0, count = 0;
};

struct TcpPeerOptions {
  Role role = Role::client;
  HostPort listen{"127.0.0.1", 0};  // server
  HostPort connect;                 // client
  TcpWorkload workload = TcpWorkload::echo;
  std::uint64_t echo_bytes = 0;
  std::uint32_t chunk = 1000;
  int stall_ms = 1000;
  std::optional<Keepalive> keepalive;
  int idle_timeout_ms = 5000;
  int handshake_timeout_ms = 30000;
  bool nonblocking = false;
  std::optional<int> mtu;  // accepted; kernel peers leave the interface MTU to the wire
  // User-space stacks only: the packet port and its address (interfaces.md section 1).
  std::optional<int> packet_fd;
  std::optional<std::string> local_address;
};

struct TcpParseResult {
  std::optional<TcpPeerOptions> options;
  int exit_code = 0;
  std::string stdout_text;
  std::string stderr_text;
};

struct TcpParseRules {
  bool packet_port = false;  // the peer takes --packet-fd/--local-address (user-space stacks)
};

// A finished outcome (usage error, unsupported, version) as a TcpParseResult,
// for peers that add checks of their own after parsing.
TcpParseResult tcp_outcome(ParseResult r);

// args excludes argv[0].
TcpParseResult parse_tcp_peer_options(const std::vector<std::string>& args, const PeerIdentity& id,
                                      TcpParseRules rules = {});

}  // namespace wireproof::peers
