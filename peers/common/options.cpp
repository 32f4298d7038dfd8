#include "peers/common/options.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <stdexcept>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "peers/common/group_names.hpp"
#include "peers/common/peer_ending.hpp"
#include "peers/contract_limits.hpp"

namespace wireproof::peers {
namespace {

// The contract's ranges (peers/contract_limits.hpp), which the scenario loader enforces too.
constexpr std::uint32_t kMaxChunk = contract::kDtls12.chunk_max;

std::string error_line(const std::string& message) {
  return nlohmann::json{{"event", "error"}, {"message", message}}.dump() + "\n";
}

}  // namespace

ParseResult usage_error(const std::string& message) {
  ParseResult r;
  r.exit_code = kExitUsage;
  r.stdout_text = error_line("usage: " + message);
  r.stderr_text = "usage error: " + message + " (see --help)\n";
  return r;
}

ParseResult unsupported(const std::string& what) {
  ParseResult r;
  r.exit_code = kExitUnsupported;
  r.stdout_text = error_line("unsupported: " + what);
  r.stderr_text = "unsupported: " + what + " (this peer does not implement it)\n";
  return r;
}

std::optional<std::string> first_unknown_option(const std::vector<std::string>& extras) {
  for (const auto& e : extras) {
    if (e.size() > 1 && e[0] == '-') return e.substr(0, e.find('='));
  }
  return std::nullopt;
}

std::optional<ParseResult> version_answer(const std::vector<std::string>& args, const PeerIdentity& id) {
  if (std::find(args.begin(), args.end(), "--version") == args.end()) return std::nullopt;
  ParseResult r;
  r.stdout_text =
      nlohmann::json{{"event", "version"}, {"implementation", id.implementation}, {"version", id.version}}.dump() +
      "\n";
  return r;
}

HostPort parse_host_port(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw std::invalid_argument("'" + text + "' is not HOST:PORT (e.g. 127.0.0.1:4433)");
  HostPort hp;
  hp.host = text.substr(0, colon);
  // "[2001:db8::2]:5000": an IPv6 literal is bracketed so its colons are not the port's.
  if (hp.host.size() > 2 && hp.host.front() == '[' && hp.host.back() == ']') hp.host = hp.host.substr(1, hp.host.size() - 2);
  unsigned port = 0;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, port);
  if (ec != std::errc{} || ptr != last || port > 65535)
    throw std::invalid_argument("'" + text + "' has no valid port (0..65535)");
  hp.port = static_cast<std::uint16_t>(port);
  return hp;
}

bool is_ip_literal(const std::string& host) {
  in_addr a4{};
  in6_addr a6{};
  return ::inet_pton(AF_INET, host.c_str(), &a4) == 1 || ::inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

const std::vector<std::string>& contract_flags() {
  static const std::vector<std::string> kFlags{
      "--host-cert", "--unknown-sni", "--alpn", "--client-cert", "--resume", "--record-size-limit",
      "--max-fragment-length", "--key-update", "--early-data", "--key-log", "--groups", "--plaintext",
      "--ip-cert", "--no-server-name"};
  return kFlags;
}

const std::vector<std::string>* PeerCapabilities::missing_for(const std::string& protocol) const {
  for (const auto& [p, flags] : missing)
    if (p == protocol) return &flags;
  return nullptr;
}

namespace {

constexpr int kTlsHandshakeTimeoutMin = 2000, kTlsHandshakeTimeoutMax = 120000;

// "CERT:KEY" -> the two paths, each an existing file; `flag` names the value in the error.
HostCert parse_cert_key(const std::string& flag, std::string name, const std::string& text) {
  auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw std::invalid_argument(flag + " '" + text + "' is not CERT:KEY");
  HostCert h{std::move(name), text.substr(0, colon), text.substr(colon + 1)};
  for (const auto* f : {&h.cert, &h.key})
    if (!std::filesystem::is_regular_file(*f)) throw std::invalid_argument(flag + ": file not found: " + *f);
  return h;
}

// "NAME=CERT:KEY" -> HostCert; throws std::invalid_argument naming the value.
HostCert parse_host_cert(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    throw std::invalid_argument("--host-cert '" + text + "' is not NAME=CERT:KEY");
  return parse_cert_key("--host-cert " + text.substr(0, eq), text.substr(0, eq), text.substr(eq + 1));
}

// "a,b" -> {"a", "b"}, empty items included (the caller rejects them).
std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    auto comma = text.find(',', start);
    out.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

// "h2,http/1.1" -> {"h2", "http/1.1"}; each name 1..255 bytes (RFC 7301 3.1).
std::vector<std::string> parse_alpn(const std::string& text) {
  auto out = split_commas(text);
  for (const auto& p : out)
    if (p.empty() || p.size() > 255) throw std::invalid_argument("--alpn '" + text + "': each protocol is 1..255 bytes");
  return out;
}

// "x25519,secp256r1" -> the names, each one the contract knows (group_names.hpp), none twice.
std::vector<std::string> parse_groups(const std::string& text) {
  auto out = split_commas(text);
  for (auto it = out.begin(); it != out.end(); ++it) {
    if (!find_group(*it))
      throw std::invalid_argument("--groups: unknown group '" + *it + "' (known: " + known_group_names() + ")");
    if (std::find(out.begin(), it, *it) != it) throw std::invalid_argument("--groups: '" + *it + "' is named twice");
  }
  return out;
}

// The rules only a TLS protocol has; nullopt when the line is fine.
std::optional<ParseResult> check_tls_rules(const PeerOptions& o, const CLI::App& app) {
  if (app.count("--timer-initial-ms")) return unsupported("--timer-initial-ms with --protocol " + o.protocol);
  if (o.handshake_timeout_ms < kTlsHandshakeTimeoutMin || o.handshake_timeout_ms > kTlsHandshakeTimeoutMax)
    return usage_error("--handshake-timeout-ms " + std::to_string(o.handshake_timeout_ms) + " is outside " +
                       std::to_string(kTlsHandshakeTimeoutMin) + ".." + std::to_string(kTlsHandshakeTimeoutMax) +
                       " for TLS");
  if (o.key_update && o.protocol != "tls1.3") return usage_error("--key-update needs --protocol tls1.3");
  return std::nullopt;
}

}  // namespace

ParseResult parse_peer_options(const std::vector<std::string>& args, const PeerIdentity& id,
                               const PeerCapabilities& caps) {
  // --version answers alone, whatever else is on the line (the runner probes with it).
  if (auto v = version_answer(args, id)) return *v;

  PeerOptions o;
  std::string role, listen, connect;
  CLI::App app{"wireproof peer (" + id.implementation + " " + id.version + "), speaking peers/CONTRACT.md"};
  app.allow_extras();
  app.add_option("--role", role, "client|server")->check(CLI::IsMember({"client", "server"}));
  app.add_option("--protocol", o.protocol, "dtls1.2|tls1.2|tls1.3");
  app.add_option("--listen", listen, "server: HOST:PORT to bind (port 0 = ephemeral)");
  app.add_option("--connect", connect, "client: HOST:PORT to send to");
  app.add_option("--cert", o.cert, "PEM certificate")->check(CLI::ExistingFile);
  app.add_option("--key", o.key, "PEM private key")->check(CLI::ExistingFile);
  app.add_option("--ca", o.ca, "PEM trust anchor")->check(CLI::ExistingFile);
  app.add_option("--server-name", o.server_name, "client: SNI and name to verify");
  app.add_flag("--no-server-name", o.no_server_name, "client: send no SNI; verify the --connect IP address");
  app.add_option("--mtu", o.mtu, "link MTU at the IP layer (IPv4+UDP headers included)")
      ->check(CLI::Range(contract::kDtls12.mtu_min, contract::kDtls12.mtu_max));
  app.add_option("--timer-initial-ms", o.timer_initial_ms, "initial retransmission timer")
      ->check(CLI::Range(1, 60000));
  app.add_option("--handshake-timeout-ms", o.handshake_timeout_ms, "give up the handshake after N ms")
      ->check(CLI::Range(1, 3600000));
  app.add_option("--echo-bytes", o.echo_bytes, "workload: bytes the client sends")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 32));
  app.add_option("--chunk", o.chunk, "workload: payload bytes per record")->check(CLI::Range(1u, kMaxChunk));
  app.add_option("--idle-timeout-ms", o.idle_timeout_ms, "close after N ms with nothing received")
      ->check(CLI::Range(1, 3600000));
  std::string framing = "binary";
  app.add_option("--framing", framing, "workload records: binary (8-byte index + payload) or lines (stock tools)")
      ->check(CLI::IsMember({"binary", "lines"}));
  std::vector<std::string> host_certs;
  app.add_option("--host-cert", host_certs, "server: NAME=CERT:KEY, a certificate per SNI host name (repeatable)");
  std::string ip_cert;
  app.add_option("--ip-cert", ip_cert, "server: CERT:KEY served when the ClientHello carries no server_name");
  std::string unknown_sni = "default", alpn, client_cert, groups;
  app.add_option("--unknown-sni", unknown_sni, "server, SNI naming no --host-cert: default (serve --cert) | alert")
      ->check(CLI::IsMember({"default", "alert"}));
  app.add_option("--alpn", alpn, "P1,P2: client offers in order; server supports, in preference order");
  app.add_option("--client-cert", client_cert, "server: none | optional | required")
      ->check(CLI::IsMember({"none", "optional", "required"}));
  app.add_flag("--resume", o.resume, "client: reconnect with the saved session; server: serve two connections");
  app.add_option("--record-size-limit", o.record_size_limit, "RFC 8449 record_size_limit")->check(CLI::Range(64, 16385));
  app.add_option("--max-fragment-length", o.max_fragment_length, "RFC 6066 max_fragment_length")
      ->check(CLI::IsMember({512, 1024, 2048, 4096}));
  app.add_flag("--key-update", o.key_update, "TLS 1.3: KeyUpdate(update_requested) after half the echo bytes");
  app.add_flag("--early-data", o.early_data, "0-RTT");
  app.add_option("--groups", groups, "G1,G2: client offers in order (key_share for G1); server accepts, preferred first");
  app.add_flag("--plaintext", o.plaintext, "server: speak no TLS; answer the client's first bytes with an HTTP 400");
  app.add_option("--key-log", o.key_log, "append NSS key-log lines (SSLKEYLOGFILE format) to PATH");
  bool version_flag = false;  // answered before parsing; declared so --help lists it
  app.add_flag("--version", version_flag, "print one JSON version line and exit");

  // CLI11 wants argv order reversed when given a vector.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    ParseResult r;
    r.stderr_text = app.help();  // help goes to stderr: stdout carries JSON only
    return r;
  } catch (const CLI::ParseError& e) {
    return usage_error(e.what());
  }

  if (auto unknown = first_unknown_option(app.remaining())) return unsupported(*unknown);
  if (!app.remaining().empty()) return usage_error("unexpected argument '" + app.remaining().front() + "'");

  if (role.empty()) return usage_error("--role client|server is required");
  o.role = role == "server" ? Role::server : Role::client;
  o.framing = framing == "lines" ? Framing::lines : Framing::binary;
  if (o.protocol.empty()) return usage_error("--protocol is required (dtls1.2, tls1.2 or tls1.3)");
  if (std::find(caps.protocols.begin(), caps.protocols.end(), o.protocol) == caps.protocols.end())
    return unsupported("--protocol " + o.protocol);
  if (const auto* missing = caps.missing_for(o.protocol))
    for (const auto& flag : *missing)
      if (app.count(flag)) return unsupported(flag + " with --protocol " + o.protocol);
  if (o.is_tls())
    if (auto bad = check_tls_rules(o, app)) return *bad;
  if (o.plaintext && o.role == Role::client) return usage_error("--plaintext is a server option");
  if (o.plaintext && !o.is_tls())
    return usage_error("--plaintext needs --protocol tls1.2 or tls1.3 (a TLS port that speaks no TLS)");
  o.unknown_sni = unknown_sni == "alert" ? UnknownSni::alert : UnknownSni::default_cert;
  if (!client_cert.empty())
    o.client_cert = client_cert == "required" ? ClientCert::required
                    : client_cert == "optional" ? ClientCert::optional
                                                : ClientCert::none;
  else if (o.is_tls())
    o.client_cert = ClientCert::none;
  if (o.key_log && o.key_log->empty()) return usage_error("--key-log needs a file path");
  if (o.ca.empty()) return usage_error("--ca FILE is required: the peer's chain is always verified");
  if (o.cert.empty() != o.key.empty()) return usage_error("--cert and --key go together");
  if (o.server_name && o.server_name->empty()) return usage_error("--server-name must not be empty");
  if (o.server_name && o.no_server_name) return usage_error("--server-name and --no-server-name exclude each other");
  try {
    if (!alpn.empty()) o.alpn = parse_alpn(alpn);
    if (app.count("--groups")) o.groups = parse_groups(groups);
    for (const auto& h : host_certs) o.host_certs.push_back(parse_host_cert(h));
    if (app.count("--ip-cert")) o.ip_cert = parse_cert_key("--ip-cert", "", ip_cert);
    if (o.role == Role::client && (!o.host_certs.empty() || o.ip_cert || app.count("--unknown-sni") ||
                                   app.count("--client-cert")))
      return usage_error("--host-cert, --ip-cert, --unknown-sni and --client-cert are a server's options");
    if (o.role == Role::server && o.no_server_name) return usage_error("--no-server-name is a client option");
    if (o.role == Role::server) {
      if (o.cert.empty()) return usage_error("a server needs --cert and --key");
      if (!listen.empty()) o.listen = parse_host_port(listen);
    } else {
      if (connect.empty()) return usage_error("a client needs --connect HOST:PORT");
      o.connect = parse_host_port(connect);
      if (o.connect.port == 0) return usage_error("--connect needs a non-zero port");
      // Without SNI the only name left to verify is the address itself (RFC 6066 3: SNI never carries one).
      if (o.no_server_name && !is_ip_literal(o.connect.host))
        return usage_error("--no-server-name needs an IP address in --connect (it is what gets verified), not '" +
                           o.connect.host + "'");
    }
  } catch (const std::invalid_argument& e) {
    return usage_error(e.what());
  }
  ParseResult r;
  r.options = std::move(o);
  return r;
}

}  // namespace wireproof::peers
