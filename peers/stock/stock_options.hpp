// wireproof-stock's command line. Its own flags (--tool, --registry) come out
// first; the rest is the peer contract's, parsed by peers/common's parser
// with the capabilities the tool's registry entry gives the role asked for:
// a contract flag (peers::contract_flags()) that the role's section neither
// maps, ignores nor fixes exits 127, naming the flag and the tool.
//
//   auto tool = take_value(args, "--tool");
//   auto parsed = parse_stock_options(args, entry, id);
//   if (!parsed.options) return print(parsed);
//   for (const auto& key : given_options(*parsed.options)) role.options.find(key) ...
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/registry/registry.hpp"
#include "peers/common/options.hpp"

namespace wireproof::stock {

// Removes "--name VALUE" / "--name=VALUE" from args (every occurrence); the values in order.
std::vector<std::string> take_values(std::vector<std::string>& args, const std::string& name);
// The last value, if any.
std::optional<std::string> take_value(std::vector<std::string>& args, const std::string& name);

// The protocols `entry` has a section for in `role`, and per protocol the
// contract flags that section neither maps (as "alpn" or per value,
// "client-cert=required"), lists as ignored, nor fixes.
peers::PeerCapabilities tool_capabilities(const registry::PeerEntry& entry, peers::Role role);

// The contract's command line for the stock tool `entry` (not a stock entry:
// std::invalid_argument). --version answers alone; --framing is lines or
// nothing (binary: 127, stock tools carry text lines; anything else: 3); bad
// values exit 3 before any capability is asked about, as for the shims.
peers::ParseResult parse_stock_options(std::vector<std::string> args, const registry::PeerEntry& entry,
                                       const peers::PeerIdentity& id);

// The registry option keys (tool_spec.hpp) this run gives: "ca", "cert", ...,
// "alpn", "client-cert=required". A TLS server always gives a client-cert key
// (the contract's default is none, and the tools must be told so); over TCP
// --mtu gives none (the interface MTU is the wire's).
std::vector<std::string> given_options(const peers::PeerOptions& o);

}  // namespace wireproof::stock
