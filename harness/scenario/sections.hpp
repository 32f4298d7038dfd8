// Readers for the parts of a scenario document, shared by loader.cpp.
// Each reports its problems to Diagnostics and returns what it could read.
// Internal to harness/scenario.
#pragma once

#include <vector>

#include <yaml-cpp/yaml.h>

#include "harness/scenario/diagnostics.hpp"
#include "harness/scenario/map_reader.hpp"
#include "harness/scenario/model.hpp"
#include "peers/contract_limits.hpp"

namespace wireproof::scenario {

// Keys of a datagram match (rules' `match:` and timeline `on:`).
std::vector<std::string_view> match_keys();
// Reads the match keys present in `m` (other keys are the caller's). The
// record-level keys are DTLS's and `tcp` is TCP's: each is an error in a
// scenario of the other `protocol`.
Match read_match(const MapReader& m, std::string_view protocol);
// Reads `key` as c2s | s2c | both (default both).
Direction read_direction(const MapReader& m, std::string_view key);

std::vector<Rule> read_rules(const YAML::Node& node, std::string_view protocol, Diagnostics& diag);
std::vector<TimelineEntry> read_timeline(const YAML::Node& node, const std::vector<Rule>& rules,
                                         std::string_view protocol, Diagnostics& diag);
// workload: echo_bytes / bytes, chunk (both protocols); kind, stall_ms, keepalive (tcp).
void read_workload(const YAML::Node& node, Diagnostics& diag, const contract::ProtocolLimits& lim, Scenario& sc);

// TCP parts (tcp_reader.cpp).
// `tcp:` of a match: flags, not_flags, data, seq_rel_*, covers_seq_rel, nth_data, retransmission.
TcpMatch read_tcp_match(const YAML::Node& node, const std::string& where, Diagnostics& diag);
// `peers.client` / `peers.server`: {sysctls: {name: value}} against the allow-list.
SideSettings read_side(const YAML::Node& node, const std::string& where, Diagnostics& diag);
// A timeline `inject:` {dir, flags, seq, ack, payload_bytes}.
std::optional<Inject> read_inject(const YAML::Node& node, const std::string& where, Diagnostics& diag);
// `tls:` (tls_reader.cpp): server_name, client/server sides, resume, ... into sc.tls.
void read_tls(const YAML::Node& node, Diagnostics& diag, Scenario& sc);

Expectations read_expect(const YAML::Node& node, std::string_view protocol, Diagnostics& diag);

}  // namespace wireproof::scenario
