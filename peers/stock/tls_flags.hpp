// The TLS contract's flags (peers/CONTRACT.md "TLS", session 17's
// TLS_CONTRACT.md) that peers/common's parser does not know yet: taken out of
// the command line, checked, and the rest handed to parse_peer_options with
// --protocol as dtls1.2 (the flags both protocols share mean the same).
// A bridge: once peers/common parses TLS itself, wireproof-stock calls it with
// every protocol the registry entry lists and this file goes.
//
//   auto split = split_tls_flags(args);
//   if (split.error) return print(*split.error);
//   auto parsed = peers::parse_peer_options(split.rest, id);
//   if (auto bad = check_tls_rules(split.flags, *parsed.options)) ...
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "peers/common/options.hpp"

namespace wireproof::stock {

struct TlsFlags {
  std::string protocol;  // as given: dtls1.2, tls1.2, tls1.3 (validated by the common parser or here)
  std::vector<std::string> host_certs;  // NAME=CERT:KEY, checked
  std::optional<std::string> unknown_sni, alpn, client_cert, key_log;
  std::optional<int> record_size_limit, max_fragment_length;
  bool resume = false, key_update = false, early_data = false;
  bool timer_given = false;  // --timer-initial-ms: 127 with a TLS protocol
  bool mtu_given = false;

  bool tls() const { return protocol == "tls1.2" || protocol == "tls1.3"; }
  // The registry's option keys this run gives (tool_spec.hpp), beyond the DTLS ones:
  // "alpn", "client-cert=none", ... A TLS server without --client-cert gives "client-cert=none".
  std::vector<std::string> given(peers::Role role) const;
};

struct TlsSplit {
  TlsFlags flags;
  std::vector<std::string> rest;            // for parse_peer_options
  std::optional<peers::ParseResult> error;  // a bad value (exit 3) or an unsupported one (127)
};

TlsSplit split_tls_flags(std::vector<std::string> args);

// The TLS rules that need the common parser's result: --handshake-timeout-ms
// 2000..120000, --key-update only with tls1.3, server-only flags on a client.
std::optional<peers::ParseResult> check_tls_rules(const TlsFlags& f, const peers::PeerOptions& o);

// Removes "--name VALUE" / "--name=VALUE" from args (every occurrence); the values in order.
std::vector<std::string> take_values(std::vector<std::string>& args, const std::string& name);
// The last value, if any.
std::optional<std::string> take_value(std::vector<std::string>& args, const std::string& name);

}  // namespace wireproof::stock
