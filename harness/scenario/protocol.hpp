// The scenario protocols and what carries each: the one place that says which
// protocols run over TCP (the L3 wire, TCP matches, actions and inject, the TCP
// checks), instead of `protocol == "tcp"` tests scattered around. Header-only:
// the registry and the checks use it too.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace wireproof::scenario {

// Every value of `protocol:` (and of a registry entry's "protocols").
inline constexpr std::array<std::string_view, 4> kProtocols{"dtls1.2", "tcp", "tls1.2", "tls1.3"};

inline bool known_protocol(std::string_view p) {
  for (auto k : kProtocols)
    if (k == p) return true;
  return false;
}

// TLS over a kernel TCP connection (TLS_CONTRACT.md): tls1.2 | tls1.3.
inline bool is_tls(std::string_view p) { return p == "tls1.2" || p == "tls1.3"; }

// The --handshake-timeout-ms a TLS peer accepts (TLS_CONTRACT.md), as common TLS APIs bound it.
inline constexpr int kTlsHandshakeTimeoutMinMs = 2000, kTlsHandshakeTimeoutMaxMs = 120000;

// The smallest interface MTU a TLS scenario may give its peers' TUNs (an MSS of 88 over IPv4).
inline constexpr int kTlsMinMtu = 128;

// Plain TCP and TLS over TCP: the wire carries TCP segments.
inline bool runs_over_tcp(std::string_view p) { return p == "tcp" || is_tls(p); }

// The protocols whose connections are TCP connections, for Check::protocols().
inline std::vector<std::string> tcp_carried_protocols() {
  std::vector<std::string> out;
  for (auto p : kProtocols)
    if (runs_over_tcp(p)) out.emplace_back(p);
  return out;
}

}  // namespace wireproof::scenario
