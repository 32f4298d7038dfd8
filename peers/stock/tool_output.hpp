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
  enum class Kind { ready, handshake_done, version, cipher, alert, error, closed, close_sent, data };
  Kind kind;
  std::string text;                  // version, cipher, error message, closed reason
  std::string direction, level, description;  // alert
  std::vector<std::uint8_t> chunk;   // data: the binary workload chunk
};

// `stream` is "stdout" or "stderr"; `line` has no '\n'. version_names maps a
// tool's spelling of the protocol ("DTLS1.2") to the contract's ("DTLSv1.2").
std::vector<Observation> classify_line(const registry::RoleSpec& role,
                                       const std::map<std::string, std::string>& version_names,
                                       std::string_view stream, const std::string& line);

// "handshake failure" / "40" -> "handshake_failure".
std::string alert_name(const std::string& printed);

}  // namespace wireproof::stock
