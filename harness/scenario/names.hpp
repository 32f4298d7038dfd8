// Names the scenario format accepts for protocol numbers and checks, in one
// small table each. The dissector keeps an equivalent table for its output;
// both follow RFC 6347 / RFC 5246 numbering.
#pragma once

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/scenario/protocol.hpp"

namespace wireproof::scenario::names {

using NamedNumber = std::pair<std::string_view, int>;

// RFC 5246 7.4 and RFC 6347 4.2.1 (hello_verify_request).
inline constexpr std::array<NamedNumber, 10> kHandshakeTypes{{
    {"client_hello", 1},
    {"server_hello", 2},
    {"hello_verify_request", 3},
    {"certificate", 11},
    {"server_key_exchange", 12},
    {"certificate_request", 13},
    {"server_hello_done", 14},
    {"certificate_verify", 15},
    {"client_key_exchange", 16},
    {"finished", 20},
}};

// RFC 5246 6.2.1 ContentType.
inline constexpr std::array<NamedNumber, 4> kContentTypes{{
    {"change_cipher_spec", 20},
    {"alert", 21},
    {"handshake", 22},
    {"application_data", 23},
}};

// Checks `expect.checks` may mention (harness/checks declares each one).
inline constexpr std::array<std::string_view, 9> kCheckNames{
    "handshake_completes",  "app_data_intact",         "record_boundaries", "mtu_fit",
    "fragments_consistent", "retransmission_schedule", "record_sequence",   "cookie_exchange",
    "last_flight_answered",
};

// The TCP checks (harness/checks/tcp). Kept equal to the registry's
// (checks_test: ScenarioCheckNamesAreTheRegisteredChecks).
inline constexpr std::array<std::string_view, 14> kTcpCheckNames{
    "tcp_handshake",     "syn_retransmission_schedule", "rto_backoff",   "rto_matches_stack",
    "fast_retransmit",   "segments_fit_mss",            "zero_window_probe", "delayed_ack",
    "graceful_close",    "tcp_data_intact",             "pmtud_response", "blind_reset_defence",
    "keepalive",         "urgent_data",
};

// The TLS checks (harness/checks/tls), named in TLS scenarios beside the TCP ones.
inline constexpr std::array<std::string_view, 12> kTlsCheckNames{
    "tls_handshake_completes", "record_size",        "record_framing", "version_negotiation",
    "middlebox_compat",        "hello_retry_request", "close_notify",   "key_update",
    "session_resumption",      "alerts",              "tls_data_intact", "plaintext_fallback",
};

// Of those, the ones only TLS 1.3 has (RFC 8446 D.4, 4.1.4, 4.6.3).
inline constexpr std::array<std::string_view, 3> kTls13OnlyCheckNames{"middlebox_compat", "hello_retry_request",
                                                                       "key_update"};

// Events a peer prints (peers/CONTRACT.md) that a timeline entry may wait for.
inline constexpr std::array<std::string_view, 6> kPeerEvents{
    "ready", "handshake_done", "app_data", "alert", "error", "closed",
};
// The same for a TCP peer (peers/CONTRACT.md "TCP"): `connected` is handshake_done's twin.
inline constexpr std::array<std::string_view, 6> kTcpPeerEvents{
    "ready", "connected", "tcp_info", "app_data", "error", "closed",
};

// The same for a TLS peer (TLS_CONTRACT.md "Events").
inline constexpr std::array<std::string_view, 8> kTlsPeerEvents{
    "ready", "connected", "handshake_done", "key_update", "app_data", "alert", "error", "closed",
};

// TCP checks that judge plain TCP only: tcp_data_intact compares the wire's
// byte stream with the applications' digests, and under TLS the wire carries
// ciphertext (TLS's data_intact decrypts first). Every other TCP check judges
// TLS's TCP connections too (scenario/protocol.hpp runs_over_tcp).
inline constexpr std::array<std::string_view, 1> kPlainTcpOnlyCheckNames{"tcp_data_intact"};

// The checks `expect.checks` may name in a scenario of `protocol`.
inline std::vector<std::string_view> check_names(std::string_view protocol) {
  if (protocol == "tcp") return {kTcpCheckNames.begin(), kTcpCheckNames.end()};
  if (is_tls(protocol)) {
    std::vector<std::string_view> out;
    for (auto n : kTcpCheckNames)
      if (std::find(kPlainTcpOnlyCheckNames.begin(), kPlainTcpOnlyCheckNames.end(), n) == kPlainTcpOnlyCheckNames.end())
        out.push_back(n);
    for (auto n : kTlsCheckNames)
      if (protocol == "tls1.3" ||
          std::find(kTls13OnlyCheckNames.begin(), kTls13OnlyCheckNames.end(), n) == kTls13OnlyCheckNames.end())
        out.push_back(n);
    return out;
  }
  return {kCheckNames.begin(), kCheckNames.end()};
}

template <std::size_t N>
std::optional<int> number_of(const std::array<NamedNumber, N>& table, std::string_view name) {
  for (const auto& [n, v] : table)
    if (n == name) return v;
  return std::nullopt;
}

template <std::size_t N>
std::optional<std::string_view> name_of(const std::array<NamedNumber, N>& table, int number) {
  for (const auto& [n, v] : table)
    if (v == number) return n;
  return std::nullopt;
}

}  // namespace wireproof::scenario::names
