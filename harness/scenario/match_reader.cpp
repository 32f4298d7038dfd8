// The datagram match: protocol fields that must all hold (docs/SCENARIO.md).
#include <fmt/format.h>

#include "harness/scenario/names.hpp"
#include "harness/scenario/protocol.hpp"
#include "harness/scenario/sections.hpp"
#include "harness/scenario/yaml_values.hpp"

namespace wireproof::scenario {

namespace {

// A name from `table` or a number 0..255.
template <std::size_t N>
std::optional<int> read_named_number(const MapReader& m, std::string_view key,
                                     const std::array<names::NamedNumber, N>& table, std::string_view kind) {
  if (!m.has(key)) return std::nullopt;
  YAML::Node v = m.get(key);
  if (parse_integer(v)) return m.integer(key, {0, 255});
  std::vector<std::string_view> all;
  for (const auto& entry : table) all.push_back(entry.first);
  if (v.IsScalar() && !is_plain_null(v)) {
    if (auto n = names::number_of(table, v.Scalar())) return n;
    m.error_at(key, fmt::format("{} '{}' is not a {} name (expected one of {})", key, v.Scalar(), kind,
                                join_names(all)));
    return std::nullopt;
  }
  m.error_at(key, fmt::format("{} must be a {} name or a number, got {}", key, kind, describe_value(v)));
  return std::nullopt;
}

}  // namespace

std::vector<std::string_view> match_keys() {
  return {"handshake_type", "content_type", "epoch", "message_seq", "flight", "retransmission",
          "index",          "size_min",     "size_max", "from_ms",   "to_ms", "tcp"};
}

namespace {

// Keys that judge DTLS records and flights: a TCP segment has none, so such
// a match could never hold (and `retransmission` has its TCP form in tcp:).
constexpr std::array<std::string_view, 6> kDtlsOnlyKeys{"handshake_type", "content_type", "epoch",
                                                        "message_seq",    "flight",       "retransmission"};

// Reports each key that belongs to the other protocol's matches.
void check_protocol_keys(const MapReader& m, std::string_view protocol) {
  if (runs_over_tcp(protocol)) {
    for (auto key : kDtlsOnlyKeys)
      if (m.has(key))
        m.error_at_key(key, key == "retransmission"
                                ? fmt::format("retransmission at this level is DTLS's (flights); in a {} scenario "
                                              "write tcp: {{retransmission: true}}",
                                              protocol)
                                : fmt::format("{} is a DTLS record field; a {} scenario matches segments with "
                                              "tcp: {{flags, data, seq_rel_min, ...}}",
                                              key, protocol));
  } else if (m.has("tcp")) {
    m.error_at_key("tcp", fmt::format("tcp: matches TCP segments, but this scenario's protocol is {}", protocol));
  }
}

}  // namespace

Match read_match(const MapReader& m, std::string_view protocol) {
  Match out;
  check_protocol_keys(m, protocol);
  if (runs_over_tcp(protocol) && m.has("tcp"))
    out.tcp = read_tcp_match(m.get("tcp"), fmt::format("in tcp of {}", m.where().substr(3)), m.diagnostics());
  out.handshake_type = read_named_number(m, "handshake_type", names::kHandshakeTypes, "handshake type");
  out.content_type = read_named_number(m, "content_type", names::kContentTypes, "content type");
  if (auto v = m.integer("epoch", {0, 65535})) out.epoch = static_cast<int>(*v);
  if (auto v = m.integer("message_seq", {0, 65535})) out.message_seq = static_cast<int>(*v);
  if (auto v = m.integer("flight", {1, 255})) out.flight = static_cast<int>(*v);
  out.retransmission = m.boolean("retransmission");
  if (auto v = m.integer("index", {0})) out.index = static_cast<std::uint64_t>(*v);
  if (auto v = m.integer("size_min", {0, 65535})) out.size_min = static_cast<std::size_t>(*v);
  if (auto v = m.integer("size_max", {0, 65535})) out.size_max = static_cast<std::size_t>(*v);
  out.from_ms = m.number("from_ms", {0});
  out.to_ms = m.number("to_ms", {0});
  if (out.size_min && out.size_max && *out.size_min > *out.size_max)
    m.error_at("size_max", fmt::format("size_max {} is below size_min {}", *out.size_max, *out.size_min));
  if (out.from_ms && out.to_ms && *out.from_ms >= *out.to_ms)
    m.error_at("to_ms", fmt::format("to_ms {} must be after from_ms {} (the window is [from_ms, to_ms))",
                                    *out.to_ms, *out.from_ms));
  return out;
}

Direction read_direction(const MapReader& m, std::string_view key) {
  auto s = m.string(key);
  if (!s || *s == "both") return Direction::both;
  if (*s == "c2s") return Direction::c2s;
  if (*s == "s2c") return Direction::s2c;
  static constexpr std::string_view kDirs[] = {"c2s", "s2c", "both"};
  m.error_at(key, fmt::format("{} must be c2s, s2c or both, got '{}'{}", key, *s, did_you_mean(*s, kDirs)));
  return Direction::both;
}

}  // namespace wireproof::scenario
