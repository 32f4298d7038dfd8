// Top level of a scenario document; sections.hpp readers do the parts.
#include "harness/scenario/loader.hpp"

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>

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
    if (*p == "dtls1.2")
      sc.protocol = *p;
    else
      top.error_at("protocol", fmt::format("protocol '{}' is not supported (expected dtls1.2)", *p));
  }
}

// Values the peers are given must lie in the contract's range for the
// protocol (peers/contract_limits.hpp): a peer refuses anything else with a
// usage error, so `validate` refuses it first (validate == run).
// An unknown protocol is reported by read_header; judge the rest as DTLS 1.2.
contract::ProtocolLimits limits_of(const Scenario& sc) {
  return contract::limits_for(sc.protocol).value_or(contract::kDtls12);
}

void read_peers(const YAML::Node& node, Diagnostics& diag, const contract::ProtocolLimits& lim, Scenario& sc) {
  MapReader p(node, "in peers", {"timer_initial_ms", "mtu", "handshake_timeout_ms"}, diag);
  auto& peers = sc.peers;
  if (auto v = p.integer("timer_initial_ms", {1, 60000})) peers.timer_initial_ms = static_cast<int>(*v);
  if (auto v = p.integer("mtu", {68, 65535})) {
    if (*v < lim.mtu_min || *v > lim.mtu_max)
      p.error_at("mtu", fmt::format("peers.mtu {} is outside what a {} peer accepts (--mtu {}..{}, peers/CONTRACT.md)",
                                    *v, sc.protocol, lim.mtu_min, lim.mtu_max));
    else
      peers.mtu = static_cast<int>(*v);
  }
  if (auto v = p.integer("handshake_timeout_ms", {1, 3600000})) peers.handshake_timeout_ms = static_cast<int>(*v);
}

// The link MTU is also the peers' --mtu unless peers.mtu is given: then it
// must be in the contract's range too (a link-only drop below it belongs in
// the timeline: `set: {mtu: N}`).
void read_link(const YAML::Node& node, Diagnostics& diag, const contract::ProtocolLimits& lim, bool peers_mtu_given,
               Scenario& sc) {
  MapReader l(node, "in link", {"mtu", "delay_ms", "jitter_ms"}, diag);
  auto& link = sc.link;
  if (auto v = l.integer("mtu", {68, 65535})) {
    link.mtu = static_cast<int>(*v);
    link.mtu_given = true;
    if (!peers_mtu_given && (*v < lim.mtu_min || *v > lim.mtu_max))
      l.error_at("mtu", fmt::format("link.mtu {} is also the peers' --mtu, which a {} peer accepts only in {}..{} "
                                    "(peers/CONTRACT.md); set peers.mtu, or lower the link's MTU in the timeline",
                                    *v, sc.protocol, lim.mtu_min, lim.mtu_max));
  }
  if (auto v = l.number("delay_ms", {0})) link.delay_ms = *v;
  if (auto v = l.number("jitter_ms", {0})) link.jitter_ms = *v;
}

void read_workload(const YAML::Node& node, Diagnostics& diag, const contract::ProtocolLimits& lim, Scenario& sc) {
  MapReader r(node, "in workload", {"echo_bytes", "chunk"}, diag);
  auto& w = sc.workload;
  if (auto v = r.integer("echo_bytes", {0, 1e9})) w.echo_bytes = static_cast<std::uint64_t>(*v);
  if (auto v = r.integer("chunk", {16, 16384})) {
    if (*v > lim.chunk_max)
      r.error_at("chunk", fmt::format("chunk {} is more than a {} peer accepts (--chunk 1..{}: a record's 16384 "
                                      "plaintext bytes minus the 8-byte chunk index, peers/CONTRACT.md)",
                                      *v, sc.protocol, lim.chunk_max));
    else
      w.chunk = static_cast<std::uint32_t>(*v);
  }
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
                {"name", "description", "refs", "protocol", "peers", "link", "rules", "timeline", "workload",
                 "timeouts", "expect"},
                diag);
  if (!top.is_map()) return sc;
  read_header(top, sc);
  const auto limits = limits_of(sc);
  const YAML::Node peers_node = top.get("peers");
  const bool peers_mtu_given = peers_node.IsMap() && peers_node["mtu"].IsDefined();
  read_peers(top.get("peers"), diag, limits, sc);
  read_link(top.get("link"), diag, limits, peers_mtu_given, sc);
  sc.rules = read_rules(top.get("rules"), diag);
  sc.timeline = read_timeline(top.get("timeline"), sc.rules, diag);
  read_workload(top.get("workload"), diag, limits, sc);
  read_timeouts(top.get("timeouts"), diag, sc.run_timeout_s);
  sc.expect = read_expect(top.get("expect"), diag);
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
