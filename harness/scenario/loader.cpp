// Top level of a scenario document; sections.hpp readers do the parts.
#include "harness/scenario/loader.hpp"

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "harness/scenario/protocol.hpp"
#include "harness/scenario/sections.hpp"
#include "harness/scenario/text_checks.hpp"
#include "harness/scenario/yaml_values.hpp"
#include "peers/contract_limits.hpp"

namespace wireproof::scenario {

namespace {

void read_header(const MapReader& top, Scenario& sc) {
  top.require({"name", "description", "refs", "protocol"});
  if (auto name = top.string("name")) {
    if (std::regex_match(*name, std::regex("[a-z0-9-]+")))
      sc.name = *name;
    else
      top.error_at("name", fmt::format("name '{}' must use only a-z, 0-9 and '-'", *name));
  }
  if (auto d = top.string("description")) {
    if (d->find_first_not_of(" \t\n") == std::string::npos)
      top.error_at("description", "description is empty; say what happens and quote the RFC");
    sc.description = *d;
  }
  if (auto refs = top.strings("refs")) {
    if (refs->empty()) top.error_at("refs", "refs must list at least one RFC section, e.g. \"RFC 6347 4.2.4\"");
    sc.refs = *refs;
  }
  if (auto p = top.string("protocol")) {
    if (known_protocol(*p))
      sc.protocol = *p;
    else
      top.error_at("protocol", fmt::format("protocol '{}' is not supported{} (expected one of {})", *p,
                                           did_you_mean(*p, kProtocols), join_names(kProtocols)));
  }
}

// `wire: udp | l3` (tcp and tls imply l3: the UDP relay carries payloads, not
// segments) and `ip: 4 | 6` (IPv6 exists on the L3 wire only).
void read_wire(const MapReader& top, Scenario& sc) {
  const bool tcp = runs_over_tcp(sc.protocol);
  if (tcp) sc.wire = Wire::l3;
  if (auto w = top.string("wire")) {
    if (*w == "l3") {
      sc.wire = Wire::l3;
    } else if (*w == "udp") {
      if (tcp)
        top.error_at("wire", fmt::format("wire: udp is the UDP relay, which cannot carry TCP; protocol {} runs on "
                                         "wire: l3",
                                         sc.protocol));
    } else {
      top.error_at("wire", fmt::format("wire must be udp (the UDP relay) or l3 (IP packets between namespaces), "
                                       "got '{}'",
                                       *w));
    }
  }
  if (auto ip = top.integer("ip", {4, 6})) {
    if (*ip != 4 && *ip != 6)
      top.error_at("ip", fmt::format("ip must be 4 or 6, got {}", *ip));
    else if (*ip == 6 && sc.wire != Wire::l3)
      top.error_at("ip", "ip: 6 needs the L3 wire (wire: l3); the UDP relay runs on 127.0.0.1");
    else
      sc.ip_version = static_cast<int>(*ip);
  }
}

// Something only the L3 wire does was asked of the UDP relay.
void require_l3(const MapReader& m, std::string_view key, std::string_view what, const Scenario& sc) {
  if (m.has(key) && sc.wire != Wire::l3)
    m.error_at_key(key, fmt::format("{} needs the L3 wire; add wire: l3 (or protocol: tcp)", what));
}

// An IPv6 interface needs an MTU of at least 1280 (RFC 8200 5).
void require_ipv6_mtu(const MapReader& m, std::string_view key, std::int64_t mtu, std::string_view what,
                      const Scenario& sc) {
  if (sc.ip_version == 6 && mtu < 1280)
    m.error_at(key, fmt::format("{} {} is below IPv6's minimum link MTU of 1280 (RFC 8200 5); lower it in the "
                                "timeline to test a smaller path",
                                what, mtu));
}

// Values the peers are given must lie in the contract's range for the
// protocol (peers/contract_limits.hpp): a peer refuses anything else with a
// usage error, so `validate` refuses it first (validate == run).
// An unknown protocol is reported by read_header; judge the rest as DTLS 1.2.
// A TLS chunk is one SSL_write the shims cap as DTLS's record (--chunk
// 1..16376: 2^14 plaintext bytes less the 8-byte index), though the reader cuts
// chunks from the byte stream (TLS_CONTRACT.md "Byte stream"). A TLS peer takes
// no --mtu: the MTU is only its TUN's, which the kernel accepts down to 68;
// 128 leaves an MSS of 88, the tiny segments a TLS scenario may want.
contract::ProtocolLimits limits_of(const Scenario& sc) {
  if (is_tls(sc.protocol)) return {kTlsMinMtu, contract::kTcp.mtu_max, contract::kDtls12.chunk_max};
  return contract::limits_for(sc.protocol).value_or(contract::kDtls12);
}

void read_peers(const YAML::Node& node, Diagnostics& diag, const contract::ProtocolLimits& lim, Scenario& sc) {
  MapReader p(node, "in peers", {"timer_initial_ms", "mtu", "handshake_timeout_ms", "client", "server"}, diag);
  auto& peers = sc.peers;
  if (p.has("timer_initial_ms") && runs_over_tcp(sc.protocol))
    p.error_at_key("timer_initial_ms", "timer_initial_ms is the DTLS retransmission timer; a TCP stack's timers "
                                       "come from its sysctls (peers.client.sysctls)");
  else if (auto v = p.integer("timer_initial_ms", {1, 60000}))
    peers.timer_initial_ms = static_cast<int>(*v);
  if (auto v = p.integer("mtu", {68, 65535})) {
    if (*v < lim.mtu_min || *v > lim.mtu_max)
      p.error_at("mtu", fmt::format("peers.mtu {} is outside what a {} peer accepts (--mtu {}..{}, peers/CONTRACT.md)",
                                    *v, sc.protocol, lim.mtu_min, lim.mtu_max));
    else
      peers.mtu = static_cast<int>(*v);
    require_ipv6_mtu(p, "mtu", *v, "peers.mtu", sc);
  }
  // A TLS peer takes --handshake-timeout-ms only in 2000..120000 (TLS_CONTRACT.md), as common TLS APIs do.
  const Bounds hs_range = is_tls(sc.protocol) ? Bounds{kTlsHandshakeTimeoutMinMs, kTlsHandshakeTimeoutMaxMs}
                                              : Bounds{1, 3600000};
  if (auto v = p.integer("handshake_timeout_ms", hs_range)) peers.handshake_timeout_ms = static_cast<int>(*v);
  for (std::string_view side : {"client", "server"}) {
    require_l3(p, side, fmt::format("peers.{} (sysctls in the {}'s namespace)", side, side), sc);
    if (sc.wire != Wire::l3) continue;
    (side == "client" ? peers.client : peers.server) =
        read_side(p.get(side), fmt::format("in peers.{}", side), diag);
  }
}

// The link MTU is also the peers' --mtu unless peers.mtu is given: then it
// must be in the contract's range too (a link-only drop below it belongs in
// the timeline: `set: {mtu: N}`).
void read_link(const YAML::Node& node, Diagnostics& diag, const contract::ProtocolLimits& lim, bool peers_mtu_given,
               Scenario& sc) {
  MapReader l(node, "in link", {"mtu", "delay_ms", "jitter_ms", "icmp"}, diag);
  auto& link = sc.link;
  if (auto v = l.integer("mtu", {68, 65535})) {
    link.mtu = static_cast<int>(*v);
    link.mtu_given = true;
    if (!peers_mtu_given && (*v < lim.mtu_min || *v > lim.mtu_max))
      l.error_at("mtu", fmt::format("link.mtu {} is also the peers' --mtu, which a {} peer accepts only in {}..{} "
                                    "(peers/CONTRACT.md); set peers.mtu, or lower the link's MTU in the timeline",
                                    *v, sc.protocol, lim.mtu_min, lim.mtu_max));
    if (!peers_mtu_given) require_ipv6_mtu(l, "mtu", *v, "link.mtu", sc);
  }
  if (auto v = l.number("delay_ms", {0})) link.delay_ms = *v;
  if (auto v = l.number("jitter_ms", {0})) link.jitter_ms = *v;
  require_l3(l, "icmp", "link.icmp (ICMP from the wire on MTU drops)", sc);
  if (auto v = l.boolean("icmp"); v && sc.wire == Wire::l3) link.icmp = *v;
}

void read_timeouts(const YAML::Node& node, Diagnostics& diag, double& run_s) {
  MapReader t(node, "in timeouts", {"run_s"}, diag);
  if (auto v = t.number("run_s", {0, 3600, true})) run_s = *v;
}

Scenario read_document(const YAML::Node& doc, const std::string& file, Diagnostics& diag) {
  Scenario sc;
  sc.file = file;
  if (!doc.IsDefined() || is_plain_null(doc)) {
    diag.error(YAML::Mark::null_mark(), "the file is empty; a scenario needs name, description, refs and protocol");
    return sc;
  }
  MapReader top(doc, "at top level",
                {"name", "description", "refs", "protocol", "wire", "ip", "peers", "link", "rules", "timeline",
                 "workload", "timeouts", "expect", "tls"},
                diag);
  if (!top.is_map()) return sc;
  read_header(top, sc);
  read_wire(top, sc);
  const auto limits = limits_of(sc);
  const YAML::Node peers_node = top.get("peers");
  const bool peers_mtu_given = peers_node.IsMap() && peers_node["mtu"].IsDefined();
  read_peers(top.get("peers"), diag, limits, sc);
  read_link(top.get("link"), diag, limits, peers_mtu_given, sc);
  sc.rules = read_rules(top.get("rules"), sc.protocol, diag);
  sc.timeline = read_timeline(top.get("timeline"), sc.rules, sc.protocol, diag);
  read_workload(top.get("workload"), diag, limits, sc);
  read_timeouts(top.get("timeouts"), diag, sc.run_timeout_s);
  if (is_tls(sc.protocol) || sc.protocol == "dtls1.2")
    read_tls(top.get("tls"), diag, sc);
  else if (top.has("tls"))
    top.error_at_key("tls", fmt::format("tls: configures TLS peers; this scenario's protocol is {} (use tls1.2, "
                                        "tls1.3 or dtls1.2)",
                                        sc.protocol));
  sc.expect = read_expect(top.get("expect"), sc.protocol, diag);
  return sc;
}

}  // namespace

Scenario load_scenario_text(const std::string& text, const std::string& name) {
  Diagnostics diag(name);
  // Before YAML: a result.json cannot hold invalid UTF-8 (the JSON writer
  // refuses it), so a bad byte in any string must stop here, with its place.
  if (auto bad = first_invalid_utf8(text)) {
    diag.error(bad->mark, fmt::format("byte 0x{:02x} is not valid UTF-8 (scenario files are UTF-8 text)", bad->byte));
    diag.throw_if_any();
  }
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {  // ParserException and friends carry a mark
    diag.error(e.mark, fmt::format("YAML syntax error: {}", e.msg));
    diag.throw_if_any();
  }
  Scenario sc = read_document(doc, name, diag);
  diag.throw_if_any();
  return sc;
}

Scenario load_scenario_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError({fmt::format("{}: cannot open the scenario file (check the path)", path)});
  // yaml-cpp needs ~70x a file's size in memory (a 57 MB file took 4 GB):
  // refuse a file no hand-written scenario comes near, before reading it.
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxScenarioBytes)
    throw ScenarioError({fmt::format("{}:1:1: the file is {} bytes; a scenario may be at most {} bytes (1 MiB)", path,
                                     size, kMaxScenarioBytes)});
  std::ostringstream text;
  text << in.rdbuf();
  return load_scenario_text(text.str(), path);
}

}  // namespace wireproof::scenario
