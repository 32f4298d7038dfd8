#include "harness/runner/peer_argv.hpp"

namespace wireproof::runner {

bool needs_lines(const PeerCommand& client, const PeerCommand& server) {
  return client.kind == "stock" || server.kind == "stock";
}

std::vector<std::string> peer_argv(const scenario::Scenario& sc, const PeerCommand& peer, const ArgvInputs& in) {
  std::vector<std::string> a = peer.argv_prefix;
  auto add = [&](std::string k, std::string v) {
    a.push_back(std::move(k));
    a.push_back(std::move(v));
  };
  auto add_optional = [&](const std::string& option, std::string v) {
    if (peer.capabilities.accepts(option)) add("--" + option, std::move(v));
  };
  const bool server = in.role == "server";
  add("--role", in.role);
  add("--protocol", sc.protocol);
  if (!in.address.empty()) add(server ? "--listen" : "--connect", in.address);
  if (server) {
    add("--cert", in.pki.server_cert.string());
    add("--key", in.pki.server_key.string());
  } else {
    add_optional("server-name", "localhost");
  }
  add("--ca", in.pki.ca_cert.string());
  add_optional("mtu", std::to_string(sc.peers.mtu.value_or(sc.link.mtu)));
  if (sc.peers.timer_initial_ms) add_optional("timer-initial-ms", std::to_string(*sc.peers.timer_initial_ms));
  add_optional("handshake-timeout-ms", std::to_string(in.handshake_ms));
  add_optional("echo-bytes", std::to_string(sc.workload.echo_bytes));
  add_optional("chunk", std::to_string(sc.workload.chunk));
  add_optional("idle-timeout-ms", std::to_string(in.idle_ms));
  // Stock tools carry the workload as text lines; both ends must agree.
  if (in.lines) add_optional("framing", "lines");
  return a;
}

}  // namespace wireproof::runner
