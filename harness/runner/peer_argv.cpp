#include "harness/runner/peer_argv.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "harness/runner/peer_process.hpp"
#include "harness/scenario/protocol.hpp"

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

// --ip-cert CERT:KEY from the run's PKI (pki_ip_address asked it for one).
std::string ip_cert_value(const pki::PkiFiles& pki) {
  if (pki.ip_cert.empty()) throw std::logic_error("tls.server.ip_cert: the run's PKI issued no IP certificate");
  return fmt::format("{}:{}", pki.ip_cert.string(), pki.ip_key.string());
}

// The tls: section's server flags TLS and DTLS share: a certificate per SNI
// host name and for the IP address, the unknown-SNI behaviour, and the
// client-certificate mode when `client_cert` says to pass it. Added when the
// scenario asks and never dropped for a peer without them: it answers 127
// (unsupported), so a run never silently tests less than the scenario says.
void add_server_naming(std::vector<std::string>& a, const scenario::TlsSettings& tls, const pki::PkiFiles& pki,
                       bool client_cert) {
  const auto add = [&](const char* k, std::string v) {
    a.push_back(k);
    a.push_back(std::move(v));
  };
  for (const auto& h : pki.hosts) add("--host-cert", fmt::format("{}={}:{}", h.name, h.cert.string(), h.key.string()));
  if (tls.server_ip_cert) add("--ip-cert", ip_cert_value(pki));
  if (tls.unknown_sni) add("--unknown-sni", *tls.unknown_sni);
  if (client_cert) add("--client-cert", tls.client_cert);
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

// TLS_CONTRACT.md: the DTLS contract's PKI and workload flags, over TCP, with
// one flag per field of the scenario's tls: section. No --mtu (the interface
// MTU is the wire's) and no retransmission timer (TCP's own is judged).
std::vector<std::string> tls_argv(const scenario::Scenario& sc, const PeerCommand& peer, const ArgvInputs& in) {
  std::vector<std::string> a = peer.argv_prefix;
  auto add = [&](std::string k, std::string v) {
    a.push_back(std::move(k));
    a.push_back(std::move(v));
  };
  const auto& tls = sc.tls;
  const bool server = in.role == "server";
  const scenario::TlsSide& side = server ? tls.server : tls.client;
  add("--role", in.role);
  add("--protocol", side.version);
  if (!in.address.empty()) add(server ? "--listen" : "--connect", in.address);
  if (server || tls.client_has_cert) {
    add("--cert", (server ? in.pki.server_cert : in.pki.client_cert).string());
    add("--key", (server ? in.pki.server_key : in.pki.client_key).string());
  }
  add("--ca", in.pki.ca_cert.string());
  if (server) {
    add_server_naming(a, tls, in.pki, tls.client_cert != "none");  // TLS: none is the contract's default
    if (tls.server_plaintext) a.push_back("--plaintext");
  } else if (tls.no_server_name) {
    a.push_back("--no-server-name");
  } else {
    add("--server-name", tls.server_name);
  }
  if (!side.alpn.empty()) add("--alpn", joined(side.alpn));
  if (!side.groups.empty()) add("--groups", joined(side.groups));
  if (side.record_size_limit) add("--record-size-limit", std::to_string(*side.record_size_limit));
  if (side.max_fragment_length) add("--max-fragment-length", std::to_string(*side.max_fragment_length));
  if (side.key_update) a.push_back("--key-update");
  if (tls.resume) a.push_back("--resume");
  if (tls.early_data) a.push_back("--early-data");
  add("--handshake-timeout-ms", std::to_string(in.handshake_ms));
  if (!in.key_log.empty()) add("--key-log", in.key_log);
  add("--echo-bytes", std::to_string(sc.workload.echo_bytes));
  add("--chunk", std::to_string(sc.workload.chunk));
  add("--idle-timeout-ms", std::to_string(in.idle_ms));
  if (in.lines) add("--framing", "lines");
  return a;
}

}  // namespace

std::optional<std::filesystem::path> key_log_file(const scenario::Scenario& sc, const PeerCommand& peer,
                                                  const std::string& role, const std::filesystem::path& run_dir) {
  // TLS and DTLS 1.2 have secrets to log; plain TCP has none.
  if (sc.protocol == "tcp" || !peer.key_log) return std::nullopt;
  return run_dir / ("keylog-" + role + ".txt");
}

std::vector<std::string> pki_host_names(const scenario::Scenario& sc) {
  return sc.protocol == "tcp" ? std::vector<std::string>{} : sc.tls.host_certs;
}

std::string pki_ip_address(const scenario::Scenario& sc, const std::string& server_listen) {
  if (sc.protocol == "tcp" || !sc.tls.server_ip_cert) return "";
  std::string host = server_listen.substr(0, server_listen.rfind(':'));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host;
}

std::vector<std::string> peer_argv(const scenario::Scenario& sc, const PeerCommand& peer, const ArgvInputs& in) {
  if (scenario::is_tls(sc.protocol)) return tls_argv(sc, peer, in);
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
  const auto& tls = sc.tls;
  add("--role", in.role);
  add("--protocol", sc.protocol);
  if (!in.address.empty()) add(server ? "--listen" : "--connect", in.address);
  if (server) {
    add("--cert", in.pki.server_cert.string());
    add("--key", in.pki.server_key.string());
    add_server_naming(a, tls, in.pki, tls.client_cert_given);  // DTLS: unwritten keeps the DTLS default
  } else {
    if (tls.no_server_name) a.push_back("--no-server-name");
    else if (tls.server_name == "localhost") add_optional("server-name", "localhost");
    else add("--server-name", tls.server_name);
    if (tls.client_has_cert) {
      add("--cert", in.pki.client_cert.string());
      add("--key", in.pki.client_key.string());
    }
  }
  const auto& side = server ? tls.server : tls.client;
  if (!side.alpn.empty()) add("--alpn", joined(side.alpn));
  add("--ca", in.pki.ca_cert.string());
  add_optional("mtu", std::to_string(sc.peers.mtu.value_or(sc.link.mtu)));
  if (sc.peers.timer_initial_ms) add_optional("timer-initial-ms", std::to_string(*sc.peers.timer_initial_ms));
  add_optional("handshake-timeout-ms", std::to_string(in.handshake_ms));
  add_optional("echo-bytes", std::to_string(sc.workload.echo_bytes));
  add_optional("chunk", std::to_string(sc.workload.chunk));
  add_optional("idle-timeout-ms", std::to_string(in.idle_ms));
  // Stock tools carry the workload as text lines; both ends must agree.
  if (in.lines) add_optional("framing", "lines");
  if (!in.key_log.empty()) add("--key-log", in.key_log);
  return a;
}

}  // namespace wireproof::runner
