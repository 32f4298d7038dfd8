// Top level of a scenario document; sections.hpp readers do the parts.
#include "harness/scenario/loader.hpp"

#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "harness/scenario/sections.hpp"
#include "harness/scenario/yaml_values.hpp"

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

void read_peers(const YAML::Node& node, Diagnostics& diag, PeerSettings& peers) {
  MapReader p(node, "in peers", {"timer_initial_ms", "mtu", "handshake_timeout_ms"}, diag);
  if (auto v = p.integer("timer_initial_ms", {1, 60000})) peers.timer_initial_ms = static_cast<int>(*v);
  if (auto v = p.integer("mtu", {68, 65535})) peers.mtu = static_cast<int>(*v);
  if (auto v = p.integer("handshake_timeout_ms", {1, 3600000})) peers.handshake_timeout_ms = static_cast<int>(*v);
}

void read_link(const YAML::Node& node, Diagnostics& diag, Link& link) {
  MapReader l(node, "in link", {"mtu", "delay_ms", "jitter_ms"}, diag);
  if (auto v = l.integer("mtu", {68, 65535})) link.mtu = static_cast<int>(*v);
  if (auto v = l.number("delay_ms", {0})) link.delay_ms = *v;
  if (auto v = l.number("jitter_ms", {0})) link.jitter_ms = *v;
}

void read_workload(const YAML::Node& node, Diagnostics& diag, Workload& w) {
  MapReader r(node, "in workload", {"echo_bytes", "chunk"}, diag);
  if (auto v = r.integer("echo_bytes", {0, 1e9})) w.echo_bytes = static_cast<std::uint64_t>(*v);
  if (auto v = r.integer("chunk", {16, 16384})) w.chunk = static_cast<std::uint32_t>(*v);
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
  read_peers(top.get("peers"), diag, sc.peers);
  read_link(top.get("link"), diag, sc.link);
  sc.rules = read_rules(top.get("rules"), diag);
  sc.timeline = read_timeline(top.get("timeline"), sc.rules, diag);
  read_workload(top.get("workload"), diag, sc.workload);
  read_timeouts(top.get("timeouts"), diag, sc.run_timeout_s);
  sc.expect = read_expect(top.get("expect"), diag);
  return sc;
}

}  // namespace

Scenario load_scenario_text(const std::string& text, const std::string& name) {
  Diagnostics diag(name);
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
  std::ostringstream text;
  text << in.rdbuf();
  return load_scenario_text(text.str(), path);
}

}  // namespace wireproof::scenario
