// TLS/DTLS alert descriptions by their RFC names (RFC 5246 7.2, RFC 8446 6),
// so both shims report "handshake_failure", not each library's own wording.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace wireproof::peers {

// "handshake_failure" for 40; "alert_<n>" for a number no RFC names.
std::string alert_description_name(int description);
// "warning" for 1, "fatal" for 2, "level_<n>" otherwise.
std::string alert_level_name(int level);
// The contract's `alert` event (peers/CONTRACT.md): direction, level, description by name.
nlohmann::json alert_event(bool sent, int level, int description);

}  // namespace wireproof::peers
