// How one stock command-line tool (openssl s_client/s_server, gnutls-cli/serv)
// is driven: the "tool" section of a stock entry in peers/registry.json, parsed
// and validated. wireproof-stock turns the contract's flags into the tool's
// argv with it, and reads what the tool printed through its patterns.
//
//   ToolSpec spec = parse_tool_spec(entry["tool"], "peer 'openssl-cli'");
//   const RoleSpec& r = spec.server;
//   argv = expand(r.argv, values, "peer 'openssl-cli' server argv");
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

struct RoleSpec {
  std::vector<std::string> argv;  // template: always used
  // Contract option (without "--") -> argv fragment appended when it is given.
  std::map<std::string, std::vector<std::string>> options;
  // Contract option -> why the tool does without it; given, it is dropped.
  std::map<std::string, std::string> ignored;
  // Contract option -> the value the tool always uses (see FixedOption).
  std::map<std::string, FixedOption> fixed;
  // Server: the tool is listening once this matches, or (nullopt) once the
  // chosen UDP port shows up bound in /proc/net/udp.
  std::optional<Pattern> ready;
  std::optional<Pattern> handshake_done;
  std::optional<Pattern> version;  // group 1: protocol version as printed
  std::optional<Pattern> cipher;   // group 1: cipher suite as printed
  std::vector<AlertPattern> alerts;
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
  RoleSpec client, server;
};

// The contract options a registry may map (peers/CONTRACT.md, without "--").
const std::vector<std::string>& mappable_options();

// Throws RegistryError naming `where` and the field.
ToolSpec parse_tool_spec(const nlohmann::json& tool, const std::string& where);

// Replaces each {name} in each argument by values[name]. Throws
// RegistryError naming `where` for an unknown name or an unclosed brace.
std::vector<std::string> expand(const std::vector<std::string>& templ,
                                const std::map<std::string, std::string>& values, const std::string& where);

}  // namespace wireproof::registry
