// How one stock command-line tool (openssl s_client/s_server, gnutls-cli/serv)
// is driven: the "tool" section of a stock entry in peers/registry.json, parsed
// and validated. wireproof-stock turns the contract's flags into the tool's
// argv with it, and reads what the tool printed through its patterns.
//
//   ToolSpec spec = parse_tool_spec(entry["tool"], "peer 'openssl-cli'", {"dtls1.2", "tls1.3"});
//   const RoleSpec& r = *spec.role_for("tls1.3", /*server=*/true);
//   argv = expand(r.argv + r.protocol_args.at("tls1.3"), values, "peer 'openssl-cli' server argv");
//
// The roles `client`/`server` describe DTLS 1.2 over UDP; `tls.client`/
// `tls.server` describe TLS 1.2 and 1.3 over TCP, told apart by protocol_args.
#pragma once

#include <map>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace wireproof::registry {

// A registry.json that breaks the format; what() names the entry and field.
struct RegistryError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A regex as written in the registry (kept for messages) and compiled.
struct Pattern {
  std::string source;
  std::regex re;
};

// Alert lines: capture groups for the level (absent: fatal) and description
// (a number, or the tool's wording such as "handshake failure").
struct AlertPattern {
  Pattern pattern;
  std::string direction;  // "received" | "sent"
  int level_group = 0;    // 0: no group, the level is "fatal"
  int description_group = 1;
};

// A line saying the connection ended, and why ("close_notify", ...).
struct ClosedPattern {
  Pattern pattern;
  std::string reason;
};

// An option the tool cannot set but whose value is fixed and known (the
// library's default, e.g. OpenSSL's 1 s initial DTLS timer). Given, it is
// dropped like an ignored one; the runner judges with `value` instead.
struct FixedOption {
  int value = 0;
  std::string note;  // why: which tool, which library default
};

// What a given contract option adds to the tool's run: argv fragments and
// environment variables (GnuTLS reads its key-log path from SSLKEYLOGFILE).
// Registry: an array (argv only) or {"argv": [...], "env": {"NAME": "template"},
// "each": "alpn"}. `each` names a placeholder holding a comma list: argv is
// repeated per item with the placeholder bound to that item (gnutls-cli takes
// one --alpn per protocol).
//
// "stdin_midway": a line the wrapper writes to the tool's stdin once half the
// echo chunks are sent (a client's --key-update: s_client's "K" command).
struct OptionMapping {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  std::optional<std::string> each;
  std::optional<std::string> stdin_midway;
};

// A line saying a KeyUpdate went out or came in; update_requested from a
// capture group ("1"/"0") or fixed by the registry (s_client's "K" always requests).
struct KeyUpdatePattern {
  Pattern pattern;
  std::string direction;  // "sent" | "received"
  int requested_group = 0;  // 0: use `requested`
  bool requested = true;
};

struct RoleSpec {
  bool tcp = false;               // TLS over TCP (the `tls` section), else DTLS over UDP
  std::vector<std::string> argv;  // template: always used
  // Protocol ("tls1.2") -> argv fragment appended after argv, pinning the version.
  // Required in the `tls` section for each TLS protocol the entry lists.
  std::map<std::string, std::vector<std::string>> protocol_args;
  // Contract option (without "--") -> what it adds when it is given. A valued
  // option whose values select different tool flags is keyed "name=value"
  // ("client-cert=required"); see valued_options().
  std::map<std::string, OptionMapping> options;
  // Contract option -> why the tool does without it; given, it is dropped.
  std::map<std::string, std::string> ignored;
  // Contract option -> the value the tool always uses (see FixedOption).
  std::map<std::string, FixedOption> fixed;
  // Server: the tool is listening once this matches, or (nullopt) once the
  // chosen port shows up bound in /proc/net/udp (DTLS) or listening in /proc/net/tcp (TLS).
  std::optional<Pattern> ready;
  // The handshake is over once every one of these has matched (a server's
  // last handshake message differs between TLS 1.2 and 1.3). Never empty.
  std::vector<Pattern> handshake_done;
  std::optional<Pattern> version;  // group 1: protocol version as printed
  std::optional<Pattern> cipher;   // group 1: cipher suite as printed
  std::optional<Pattern> group;    // group 1: key exchange group as printed (see ToolSpec::group_names)
  // group 1: the ALPN protocol agreed. Declared only for a tool that prints it
  // whenever one is agreed, so no match by the handshake's end means none (null).
  std::optional<Pattern> alpn;
  // A line on a data stream carries workload only if it matches this (absent:
  // any line), for a tool that prints what it received twice in different words.
  std::optional<Pattern> data_line;
  std::vector<AlertPattern> alerts;
  std::vector<KeyUpdatePattern> key_updates;
  std::vector<Pattern> errors;     // group 1 (or the whole line): the message
  std::vector<ClosedPattern> closed;
  // Which of the tool's streams carry application data ("stdout", "stderr").
  std::vector<std::string> data_streams;
  // Server: true when the wrapper must echo (the tool prints what it
  // receives and sends its stdin); false when the tool echoes by itself.
  bool wrapper_echoes = false;
};

struct ToolSpec {
  std::vector<std::string> version_argv;  // e.g. {"openssl", "version"}
  Pattern version_regex;                  // group 1: the version number
  std::map<std::string, std::string> version_names;  // "DTLS1.2" -> "DTLSv1.2"
  // Group as printed -> IANA/OpenSSL short name ("X25519" -> "x25519"); a
  // group not listed is reported lower-cased.
  std::map<std::string, std::string> group_names;
  RoleSpec client, server;  // DTLS 1.2
  std::optional<RoleSpec> tls_client, tls_server;  // TLS 1.2 / 1.3 (the `tls` section)

  // The role that runs `protocol`, or nullptr when this tool does not speak it.
  const RoleSpec* role_for(const std::string& protocol, bool server) const;
};

// The contract options a registry may map (peers/CONTRACT.md and the TLS
// contract, without "--").
const std::vector<std::string>& mappable_options();
// Options mapped per value ("client-cert=optional"), with their values.
const std::map<std::string, std::vector<std::string>>& valued_options();

// Throws RegistryError naming `where` and the field. `protocols` are the
// entry's: each must have its role sections (tls1.x: tls + protocol_args).
ToolSpec parse_tool_spec(const nlohmann::json& tool, const std::string& where,
                         const std::vector<std::string>& protocols = {"dtls1.2"});

// Replaces each {name} in each argument by values[name]. Throws
// RegistryError naming `where` for an unknown name or an unclosed brace.
std::vector<std::string> expand(const std::vector<std::string>& templ,
                                const std::map<std::string, std::string>& values, const std::string& where);

}  // namespace wireproof::registry
