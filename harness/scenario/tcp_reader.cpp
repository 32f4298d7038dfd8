// The TCP-only parts of a scenario (docs/SCENARIO.md "TCP"): the `tcp:` match,
// per-side sysctls, and the timeline's `inject:`.
#include <algorithm>
#include <array>
#include <regex>

#include <fmt/format.h>

#include "harness/events/ip_layers.hpp"
#include "harness/scenario/sections.hpp"
#include "harness/scenario/yaml_values.hpp"

namespace wireproof::scenario {

namespace {

std::vector<std::string_view> flag_names() {
  std::vector<std::string_view> out;
  for (const auto& [bit, name] : events::tcp_flags::kNames) out.push_back(name);
  return out;
}

// `key: [syn, ack]` (or one name) as flag bits; nullopt after reporting a problem.
std::optional<std::uint8_t> read_flags(const MapReader& m, std::string_view key, Diagnostics& diag) {
  if (!m.has(key)) return std::nullopt;
  const YAML::Node v = m.get(key);
  std::vector<YAML::Node> items;
  if (v.IsSequence())
    for (const auto& item : v) items.push_back(item);
  else
    items.push_back(v);
  std::uint8_t bits = 0;
  bool ok = true;
  for (const auto& item : items) {
    const auto* found = item.IsScalar() && !is_plain_null(item)
                            ? std::find_if(events::tcp_flags::kNames.begin(), events::tcp_flags::kNames.end(),
                                           [&](const auto& f) { return f.second == item.Scalar(); })
                            : events::tcp_flags::kNames.end();
    if (found == events::tcp_flags::kNames.end()) {
      const auto names = flag_names();
      std::string got = item.IsScalar() && !is_plain_null(item) ? fmt::format("'{}'", item.Scalar()) : describe_value(item);
      diag.error(item.IsNull() ? m.key_mark(key) : item.Mark(),
                 fmt::format("{} {} is not a TCP flag{} (expected a list of {})", key, got,
                             item.IsScalar() ? did_you_mean(item.Scalar(), names) : std::string(), join_names(names)));
      ok = false;
      continue;
    }
    bits |= found->first;
  }
  if (!ok) return std::nullopt;
  if (bits == 0) {
    m.error_at(key, fmt::format("{} is empty; name at least one flag or leave {} out", key, key));
    return std::nullopt;
  }
  return bits;
}

// Sysctls a scenario may set: what TCP and path MTU discovery depend on, and
// nothing that could reach outside the side's namespace.
bool sysctl_allowed(std::string_view full) {
  // route.min_adv_mss: Linux never advertises an MSS below it (256), whatever the MTU.
  static constexpr std::array<std::string_view, 5> kExact{"net.ipv4.route.min_pmtu", "net.ipv4.route.min_adv_mss",
                                                          "net.ipv4.ip_no_pmtu_disc",
                                                          "net.core.rmem_max", "net.core.wmem_max"};
  if (full.starts_with("net.ipv4.tcp_") && full.size() > 13) return true;
  return std::find(kExact.begin(), kExact.end(), full) != kExact.end();
}

constexpr std::string_view kSysctlAllowList =
    "net.ipv4.tcp_*, net.ipv4.route.min_pmtu, net.ipv4.route.min_adv_mss, net.ipv4.ip_no_pmtu_disc, "
    "net.core.rmem_max, net.core.wmem_max";

void read_sysctls(const YAML::Node& node, const std::string& where, Diagnostics& diag, SideSettings& side) {
  if (!node.IsDefined() || is_plain_null(node)) return;
  if (!node.IsMap()) {
    diag.error(node.Mark(), fmt::format("sysctls {} must be a mapping of sysctl names to values, got {}", where,
                                        describe_value(node)));
    return;
  }
  for (const auto& kv : node) {
    const std::string name = kv.first.Scalar();
    // A short name is net.ipv4.<name>: most TCP knobs live there.
    const std::string full = name.starts_with("net.") ? name : "net.ipv4." + name;
    if (!std::regex_match(name, std::regex("[a-z0-9_.]+")) || !sysctl_allowed(full)) {
      diag.error(kv.first.Mark(), fmt::format("sysctl '{}' {} is not allowed (allowed: {}; a short name means "
                                              "net.ipv4.<name>)",
                                              full, where, kSysctlAllowList));
      continue;
    }
    const auto dup = std::find_if(side.sysctls.begin(), side.sysctls.end(), [&](const auto& s) { return s.first == full; });
    if (dup != side.sysctls.end()) {
      diag.error(kv.first.Mark(), fmt::format("sysctl '{}' is set twice {}", full, where));
      continue;
    }
    const YAML::Node& value = kv.second;
    // Written to /proc/sys as text: a number, or a quoted string such as "4096 87380 6291456".
    if (!value.IsScalar() || is_plain_null(value) || (!parse_integer(value) && parse_boolean(value)) ||
        value.Scalar().find_first_of("\n\r") != std::string::npos || value.Scalar().empty()) {
      diag.error(value.IsNull() ? kv.first.Mark() : value.Mark(),
                 fmt::format("sysctl '{}' must be a number or a one-line string (as written to /proc/sys), got {}",
                             full, describe_value(value)));
      continue;
    }
    side.sysctls.emplace_back(full, value.Scalar());
  }
}

// "rcv_nxt", "rcv_nxt+100", "isn-1": a base from `bases` and an offset.
std::optional<SeqExpr> read_seq_expr(const MapReader& m, std::string_view key,
                                     const std::vector<std::pair<std::string_view, SeqExpr::Base>>& bases) {
  auto text = m.string(key);
  if (!text) return std::nullopt;
  std::vector<std::string_view> names;
  for (const auto& b : bases) names.push_back(b.first);
  static const std::regex kExpr(R"(\s*([a-z_]+)\s*(?:([+-])\s*([0-9]{1,10}))?\s*)");
  std::smatch parts;
  if (std::regex_match(*text, parts, kExpr)) {
    const auto base = std::find_if(bases.begin(), bases.end(), [&](const auto& b) { return b.first == parts[1].str(); });
    const std::int64_t n = parts[3].matched ? std::stoll(parts[3].str()) : 0;
    if (base != bases.end() && n < (std::int64_t{1} << 31))
      return SeqExpr{base->second, parts[2].str() == "-" ? -n : n};
  }
  m.error_at(key, fmt::format("{} '{}' must be BASE, BASE+N or BASE-N with BASE one of {} and N below 2^31", key,
                              *text, join_names(names)));
  return std::nullopt;
}

}  // namespace

TcpMatch read_tcp_match(const YAML::Node& node, const std::string& where, Diagnostics& diag) {
  TcpMatch out;
  MapReader m(node, where,
              {"flags", "not_flags", "data", "seq_rel_min", "seq_rel_max", "covers_seq_rel", "nth_data",
               "retransmission"},
              diag);
  if (!m.is_map()) return out;
  if (auto f = read_flags(m, "flags", diag)) out.flags = *f;
  if (auto f = read_flags(m, "not_flags", diag)) out.not_flags = *f;
  if (out.flags & out.not_flags)
    m.error_at("not_flags", fmt::format("not_flags repeats {} from flags; no segment can match",
                                        events::tcp_flags_text(out.flags & out.not_flags)));
  out.data = m.boolean("data");
  constexpr Bounds kSeq{0, 4294967295.0};
  if (auto v = m.integer("seq_rel_min", kSeq)) out.seq_rel_min = static_cast<std::uint32_t>(*v);
  if (auto v = m.integer("seq_rel_max", kSeq)) out.seq_rel_max = static_cast<std::uint32_t>(*v);
  if (auto v = m.integer("covers_seq_rel", {1, 4294967295.0})) out.covers_seq_rel = static_cast<std::uint32_t>(*v);
  if (auto v = m.integer("nth_data", {1})) out.nth_data = static_cast<std::uint64_t>(*v);
  out.retransmission = m.boolean("retransmission");
  if (out.seq_rel_min && out.seq_rel_max && *out.seq_rel_min > *out.seq_rel_max)
    m.error_at("seq_rel_max", fmt::format("seq_rel_max {} is below seq_rel_min {}", *out.seq_rel_max, *out.seq_rel_min));
  if (out.data == false)
    for (std::string_view key : {"covers_seq_rel", "nth_data"})
      if (m.has(key)) m.error_at_key(key, fmt::format("{} selects a data segment, but data is false", key));
  if (out.nth_data && out.retransmission == true)
    m.error_at_key("nth_data", "nth_data counts new data segments only; it cannot match a retransmission");
  return out;
}

SideSettings read_side(const YAML::Node& node, const std::string& where, Diagnostics& diag) {
  SideSettings side;
  MapReader s(node, where, {"sysctls"}, diag);
  read_sysctls(s.get("sysctls"), where, diag, side);
  return side;
}

std::optional<Inject> read_inject(const YAML::Node& node, const std::string& where, Diagnostics& diag) {
  MapReader m(node, where, {"dir", "flags", "seq", "ack", "payload_bytes"}, diag);
  if (!m.is_map()) return std::nullopt;
  if (is_plain_null(node)) {
    diag.error(node.Mark(), fmt::format("inject {} is empty; give dir, flags and seq", where));
    return std::nullopt;
  }
  m.require({"dir", "flags", "seq"});
  Inject out;
  bool ok = m.has("dir") && m.has("flags") && m.has("seq");
  if (auto d = m.string("dir")) {
    if (*d == "c2s" || *d == "s2c") {
      out.dir = *d == "c2s" ? Direction::c2s : Direction::s2c;
    } else {
      m.error_at("dir", fmt::format("dir must be c2s (forged as the client's, to the server) or s2c, got '{}'", *d));
      ok = false;
    }
  }
  if (auto f = read_flags(m, "flags", diag)) out.flags = *f; else ok = false;
  using B = SeqExpr::Base;
  if (auto s = read_seq_expr(m, "seq", {{"rcv_nxt", B::rcv_nxt}, {"rcv_wnd_end", B::rcv_wnd_end}, {"isn", B::isn}}))
    out.seq = *s;
  else
    ok = false;
  const bool ack_flag = out.flags & events::tcp_flags::ack;
  if (m.has("ack") && !ack_flag) {
    m.error_at_key("ack", "ack is given but flags has no ack; add ack to flags or leave ack out");
    ok = false;
  } else if (auto a = read_seq_expr(m, "ack", {{"snd_nxt", B::snd_nxt}})) {
    out.ack = *a;
  } else if (m.has("ack")) {
    ok = false;
  } else if (ack_flag) {
    out.ack = SeqExpr{B::snd_nxt, 0};
  }
  if (auto v = m.integer("payload_bytes", {0, 1220})) out.payload_bytes = static_cast<std::uint32_t>(*v);
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace wireproof::scenario
