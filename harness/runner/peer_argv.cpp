#include "harness/runner/peer_argv.hpp"

#include "harness/runner/peer_process.hpp"

namespace wireproof::runner {

bool needs_lines(const PeerCommand& client, const PeerCommand& server) {
  return client.kind == "stock" || server.kind == "stock";
}

namespace {

// peers/CONTRACT.md "TCP": no PKI, no retransmission timer option (the stack's
// own RTO is what is judged), the workload by name.
void add_tcp_options(std::vector<std::string>& a, const scenario::Scenario& sc, const ArgvInputs& in) {
  auto add = [&](std::string k, std::string v) {
    a.push_back(std::move(k));
    a.push_back(std::move(v));
  };
  add("--workload", sc.tcp.workload);
  add("--echo-bytes", std::to_string(sc.workload.echo_bytes));
  add("--chunk", std::to_string(sc.workload.chunk));
  if (sc.tcp.stall_ms) add("--stall-ms", std::to_string(*sc.tcp.stall_ms));
  if (const auto& k = sc.tcp.keepalive)
    add("--keepalive", std::to_string(k->idle_s) + "," + std::to_string(k->intvl_s) + "," + std::to_string(k->count));
  add("--handshake-timeout-ms", std::to_string(in.handshake_ms));
  add("--idle-timeout-ms", std::to_string(in.idle_ms));
  if (!in.packet_port_address.empty()) {
    add("--packet-fd", std::to_string(kInheritedPacketFd));
    add("--local-address", in.packet_port_address);
    add("--mtu", std::to_string(sc.peers.mtu.value_or(sc.link.mtu)));
  }
}

}  // namespace

std::vector<std::string> peer_argv(const scenario::Scenario& sc, const PeerCommand& peer, const ArgvInputs& in) {
  std::vector<std::string> a = peer.argv_prefix;
  if (sc.protocol == "tcp") {
    a.insert(a.end(), {"--role", in.role, "--protocol", "tcp"});
    if (!in.address.empty()) a.insert(a.end(), {in.role == "server" ? "--listen" : "--connect", in.address});
    add_tcp_options(a, sc, in);
    return a;
  }
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
