// Names of TLS/DTLS content types and handshake message types, both ways.
// The dissector uses them for "name" fields in the event log; the scenario
// loader uses them to accept `handshake_type: server_hello` as well as `2`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wireproof::dissect {

// "client_hello" for 1, ... ; "unknown(42)" for numbers without a name.
std::string handshake_type_name(int type);
// 1 for "client_hello"; nullopt for an unknown name (exact, lower case).
std::optional<int> handshake_type_from_name(std::string_view name);

// "change_cipher_spec" 20, "alert" 21, "handshake" 22, "application_data" 23,
// "heartbeat" 24; "unknown(N)" otherwise.
std::string content_type_name(int type);
std::optional<int> content_type_from_name(std::string_view name);

}  // namespace wireproof::dissect
