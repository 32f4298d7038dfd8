// The peer contract's command line (peers/CONTRACT.md), parsed with CLI11.
// Parsing never exits the process: it returns what to print and the exit
// code, so every contract rule (127 for unsupported, 3 for bad values) is
// unit-testable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wireproof::peers {

enum class Role { client, server };

// How workload chunks travel in records: binary (the contract's default) or
// one text line per record (line_frame.hpp), which stock tools need.
enum class Framing { binary, lines };

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

// --host-cert NAME=CERT:KEY: the server's certificate for one SNI host name.
struct HostCert {
  std::string name, cert, key;
};

// --unknown-sni: what a server does with a ClientHello naming a host it has no --host-cert for.
enum class UnknownSni { default_cert, alert };
// --client-cert: whether the server sends a CertificateRequest, and whether a client must answer it.
enum class ClientCert { none, optional, required };

struct PeerOptions {
  Role role = Role::client;
  std::string protocol;                 // "dtls1.2", "tls1.2" or "tls1.3" after validation
  HostPort listen{"127.0.0.1", 0};      // server
  HostPort connect;                     // client
  std::string cert, key, ca;            // PEM files
  std::optional<std::string> server_name;
  // --no-server-name (client): no SNI; the certificate is verified against the --connect IP literal.
  bool no_server_name = false;
  std::optional<int> mtu;               // IP-layer link MTU
  std::optional<int> timer_initial_ms;  // library default when absent
  int handshake_timeout_ms = 30000;
  std::uint64_t echo_bytes = 0;
  std::uint32_t chunk = 1000;
  int idle_timeout_ms = 5000;
  Framing framing = Framing::binary;
  // TLS_CONTRACT flags (peers/CONTRACT.md "TLS"); a library lacking one refuses it (127) at parse time.
  std::vector<HostCert> host_certs;                // server
  // --ip-cert CERT:KEY (server): served when the ClientHello has no server_name (name empty).
  std::optional<HostCert> ip_cert;
  UnknownSni unknown_sni = UnknownSni::default_cert;
  std::vector<std::string> alpn;                   // in preference order
  // Absent for DTLS keeps the DTLS contract's behaviour (a certificate is requested, verified when sent);
  // TLS resolves it to none.
  std::optional<ClientCert> client_cert;
  bool resume = false;
  std::optional<int> record_size_limit;            // RFC 8449
  std::optional<int> max_fragment_length;          // RFC 6066 4: 512, 1024, 2048 or 4096
  bool key_update = false;                         // TLS 1.3
  bool early_data = false;
  std::optional<std::string> key_log;              // NSS key-log file, appended
  // --groups: contract names (group_names.hpp), in order. Client: offered, key_share for the first only;
  // server: accepted, preferred first. Empty: the library's defaults.
  std::vector<std::string> groups;
  bool plaintext = false;  // server, TLS protocols: the port speaks no TLS (plaintext_server.hpp)

  bool is_tls() const { return protocol.rfind("tls", 0) == 0; }
};

// Every contract flag this parser knows that a library may lack ("--alpn",
// "--key-log", ...): the ones PeerCapabilities can refuse. A peer whose
// capabilities come from elsewhere (wireproof-stock: the registry entry)
// checks each of these against its own table.
const std::vector<std::string>& contract_flags();

// What a library behind a shim can do: the protocols it speaks and, per
// protocol, the contract flags it cannot honour (each one exits 127 when given).
struct PeerCapabilities {
  std::vector<std::string> protocols{"dtls1.2"};
  std::vector<std::pair<std::string, std::vector<std::string>>> missing{{"dtls1.2", contract_flags()}};
  const std::vector<std::string>* missing_for(const std::string& protocol) const;
};

// Who is answering --version.
struct PeerIdentity {
  std::string implementation;  // "OpenSSL"
  std::string version;         // "3.0.19"
};

// Either options to run with, or a finished outcome (--version, --help, an
// error): print stdout_text / stderr_text and exit with exit_code.
struct ParseResult {
  std::optional<PeerOptions> options;
  int exit_code = 0;
  std::string stdout_text;  // JSON lines (version, error events)
  std::string stderr_text;  // for a person
};

// args excludes argv[0]. The default capabilities are a DTLS-only library's.
ParseResult parse_peer_options(const std::vector<std::string>& args, const PeerIdentity& id,
                               const PeerCapabilities& caps = {});

// "HOST:PORT" or "[IPv6]:PORT" -> HostPort (brackets removed); throws
// std::invalid_argument naming the value.
HostPort parse_host_port(const std::string& text);

// An IPv4 or IPv6 literal ("198.18.0.2", "2001:db8::2"): verified as an address, never sent as SNI (RFC 6066 3).
bool is_ip_literal(const std::string& host);

// The pieces every contract parser shares (this one and tcp_options.hpp), so
// the exit codes and error lines are the same for every protocol.
ParseResult usage_error(const std::string& message);  // exit 3
ParseResult unsupported(const std::string& what);     // exit 127
// The first token of CLI11's leftovers that looks like an option, without "=value".
std::optional<std::string> first_unknown_option(const std::vector<std::string>& extras);
// The version line when --version is anywhere in args (it answers alone).
std::optional<ParseResult> version_answer(const std::vector<std::string>& args, const PeerIdentity& id);

}  // namespace wireproof::peers
