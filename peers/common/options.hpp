// The peer contract's command line (peers/CONTRACT.md), parsed with CLI11.
// Parsing never exits the process: it returns what to print and the exit
// code, so every contract rule (127 for unsupported, 3 for bad values) is
// unit-testable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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

struct PeerOptions {
  Role role = Role::client;
  std::string protocol;                 // always "dtls1.2" after validation
  HostPort listen{"127.0.0.1", 0};      // server
  HostPort connect;                     // client
  std::string cert, key, ca;            // PEM files
  std::optional<std::string> server_name;
  std::optional<int> mtu;               // IP-layer link MTU
  std::optional<int> timer_initial_ms;  // library default when absent
  int handshake_timeout_ms = 30000;
  std::uint64_t echo_bytes = 0;
  std::uint32_t chunk = 1000;
  int idle_timeout_ms = 5000;
  Framing framing = Framing::binary;
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

// args excludes argv[0].
ParseResult parse_peer_options(const std::vector<std::string>& args, const PeerIdentity& id);

// "HOST:PORT" or "[IPv6]:PORT" -> HostPort (brackets removed); throws
// std::invalid_argument naming the value.
HostPort parse_host_port(const std::string& text);

// The pieces every contract parser shares (this one and tcp_options.hpp), so
// the exit codes and error lines are the same for every protocol.
ParseResult usage_error(const std::string& message);  // exit 3
ParseResult unsupported(const std::string& what);     // exit 127
// The first token of CLI11's leftovers that looks like an option, without "=value".
std::optional<std::string> first_unknown_option(const std::vector<std::string>& extras);
// The version line when --version is anywhere in args (it answers alone).
std::optional<ParseResult> version_answer(const std::vector<std::string>& args, const PeerIdentity& id);

}  // namespace wireproof::peers
