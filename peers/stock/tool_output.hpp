// Reads one line a stock tool printed and says what it means, through the
// patterns its registry entry declares: listening, handshake done, protocol
// version, cipher, an alert, an error, the connection closing, or a workload
// line. Pure: no I/O, so every tool's wording is testable from a string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/registry/tool_spec.hpp"

namespace wireproof::stock {

struct Observation {
  // closed: the peer ended the connection; close_sent: the tool sent close_notify.
  // handshake_done: one of the role's handshake_done patterns matched (which: `part`).
  enum class Kind { ready, handshake_done, version, cipher, group, alpn, key_update, alert, error, closed, close_sent, data };
  Kind kind;
  std::string text;                  // version, cipher, group, alpn, error message, closed reason; key_update: "1"/"0" (requested)
  std::string direction, level, description;  // alert (key_update: direction)
  std::vector<std::uint8_t> chunk;   // data: the binary workload chunk
  std::size_t part = 0;              // handshake_done: index into RoleSpec::handshake_done
};

// `stream` is "stdout" or "stderr"; `line` has no '\n'. The tool's
// version_names map its spelling of the protocol ("DTLS1.2") to the
// contract's ("DTLSv1.2"), group_names its group names ("X25519" -> "x25519").
std::vector<Observation> classify_line(const registry::RoleSpec& role, const registry::ToolSpec& tool,
                                       std::string_view stream, const std::string& line);

// "handshake failure" / "40" -> "handshake_failure".
std::string alert_name(const std::string& printed);

}  // namespace wireproof::stock
