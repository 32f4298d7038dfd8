#include "harness/registry/registry.hpp"

#include <algorithm>
#include <fstream>
#include <set>

#include "harness/registry/json_fields.hpp"
#include "harness/scenario/protocol.hpp"

namespace wireproof::registry {

namespace f = fields;
using nlohmann::json;

namespace {

int int_in(const json& obj, const std::string& key, int lo, int hi, const std::string& where, const std::string& field) {
  if (!obj[key].is_number_integer() || obj[key].get<long long>() < lo || obj[key].get<long long>() > hi)
    f::fail(where, field, "expected an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
  return obj[key].get<int>();
}

contract::Capabilities parse_capabilities(const json& c, const std::string& where) {
  contract::Capabilities caps;
  if (!c.is_object()) f::fail(where, "capabilities", "expected an object");
  f::only_keys(c, {"options", "mtu", "timer_granularity_ms", "note"}, where, "capabilities");
  if (c.contains("options")) {
    caps.options = f::strings(c, "options", where, "capabilities", true);
    for (const auto& o : *caps.options)
      if (std::find(contract::kOptionalContractOptions.begin(), contract::kOptionalContractOptions.end(), o) ==
          contract::kOptionalContractOptions.end())
        f::fail(where, "capabilities.options", "unknown contract option '" + o + "' (write it without '--')");
  }
  if (c.contains("mtu")) {
    const auto& m = f::object(c, "mtu", where, "capabilities");
    f::only_keys(m, {"min", "max"}, where, "capabilities.mtu");
    const auto& lim = contract::kDtls12;  // a declaration narrows the contract's range, never widens it
    if (m.contains("min")) caps.mtu_min = int_in(m, "min", lim.mtu_min, lim.mtu_max, where, "capabilities.mtu.min");
    if (m.contains("max")) caps.mtu_max = int_in(m, "max", lim.mtu_min, lim.mtu_max, where, "capabilities.mtu.max");
    if (caps.mtu_min > caps.mtu_max) f::fail(where, "capabilities.mtu", "min is above max");
  }
  if (c.contains("timer_granularity_ms"))
    caps.timer_granularity_ms = int_in(c, "timer_granularity_ms", 1, 60000, where, "capabilities.timer_granularity_ms");
  return caps;
}

PeerEntry parse_entry(const json& e, std::size_t index, const std::string& file) {
  std::string where = file + ": peers[" + std::to_string(index) + "]";
  if (!e.is_object()) f::fail(where, "", "expected an object");
  PeerEntry p;
  p.name = f::string(e, "name", where, "");
  where = file + ": peer '" + p.name + "'";
  f::only_keys(e, {"name", "kind", "protocols", "implementation", "executable", "args", "description", "tool",
                  "capabilities", "sysctls", "route", "device", "key_log"},
               where, "");
  p.kind = f::string(e, "kind", where, "");
  if (p.kind != "shim" && p.kind != "stock") f::fail(where, "kind", "expected 'shim' or 'stock', got '" + p.kind + "'");
  // Entries written before TCP peers existed speak DTLS 1.2.
  p.protocols = e.contains("protocols") ? f::strings(e, "protocols", where, "") : std::vector<std::string>{"dtls1.2"};
  for (const auto& proto : p.protocols)
    if (!scenario::known_protocol(proto)) {
      std::string known;
      for (auto k : scenario::kProtocols) known += (known.empty() ? "" : ", ") + std::string(k);
      f::fail(where, "protocols", "unknown protocol '" + proto + "' (known: " + known + ")");
    }
  if (e.contains("key_log")) {
    if (!e["key_log"].is_boolean()) f::fail(where, "key_log", "expected true or false");
    p.key_log = e["key_log"].get<bool>();
    bool secrets = false;  // plain TCP has no secrets to log
    for (const auto& proto : p.protocols) secrets = secrets || proto != "tcp";
    if (p.key_log && !secrets)
      f::fail(where, "key_log", "only a peer that speaks TLS or DTLS writes a key log (its protocols are tcp only)");
  }
  p.kernel = parse_sysctl_profile(e, where);
  // How the peer meets the L3 wire (issue 9 interfaces, 1): a TUN in its
  // namespace (kernel stacks) or an inherited packet socket (user-space stacks).
  if (e.contains("device")) {
    p.device = f::string(e, "device", where, "");
    if (p.device != "tun" && p.device != "packet_socket")
      f::fail(where, "device", "expected 'tun' or 'packet_socket', got '" + p.device + "'");
  }
  p.implementation = f::string(e, "implementation", where, "");
  p.executable = f::string(e, "executable", where, "");
  p.args = e.contains("args") ? f::strings(e, "args", where, "", true) : std::vector<std::string>{};
  p.description = f::string(e, "description", where, "");
  if (e.contains("capabilities")) p.capabilities = parse_capabilities(e["capabilities"], where);
  if (p.kind == "stock") {
    if (!e.contains("tool")) f::fail(where, "tool", "missing (a stock entry describes its tool)");
    p.tool = parse_tool_spec(e["tool"], where, p.protocols);
  } else if (e.contains("tool")) {
    f::fail(where, "tool", "only stock entries describe a tool");
  }
  return p;
}

}  // namespace

std::filesystem::path default_registry_file() { return WIREPROOF_REGISTRY_FILE; }

Registry Registry::load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw RegistryError(file.string() + ": cannot open the peer registry");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    throw RegistryError(file.string() + ": not valid JSON: " + e.what());
  }
  return from_json(doc, file);
}

Registry Registry::from_json(const json& doc, const std::filesystem::path& file) {
  const std::string where = file.string();
  if (!doc.is_object()) f::fail(where, "", "the registry must be a JSON object");
  f::only_keys(doc, {"schema_version", "peers", "note"}, where, "");
  if (!doc.contains("schema_version") || doc["schema_version"] != 1)
    f::fail(where, "schema_version", "expected 1");
  if (!doc.contains("peers") || !doc["peers"].is_array() || doc["peers"].empty())
    f::fail(where, "peers", "expected a non-empty array of peer entries");
  Registry reg;
  reg.file_ = file;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < doc["peers"].size(); ++i) {
    PeerEntry p = parse_entry(doc["peers"][i], i, where);
    if (!seen.insert(p.name).second) f::fail(where + ": peer '" + p.name + "'", "name", "registered twice");
    reg.entries_.push_back(std::move(p));
  }
  return reg;
}

std::optional<int> PeerEntry::fixed_value(std::string_view role, std::string_view option) const {
  if (!tool) return std::nullopt;
  const RoleSpec& r = role == "server" ? tool->server : tool->client;
  auto it = r.fixed.find(std::string(option));
  if (it == r.fixed.end()) return std::nullopt;
  return it->second.value;
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.name);
  return out;
}

const PeerEntry& Registry::find(std::string_view name) const {
  for (const auto& e : entries_)
    if (e.name == name) return e;
  std::string known;
  for (const auto& e : entries_) known += (known.empty() ? "" : ", ") + e.name;
  throw RegistryError("unknown peer '" + std::string(name) + "' (registered in " + file_.string() + ": " + known +
                      ")");
}

std::vector<std::string> Registry::argv_prefix(std::string_view name, const std::filesystem::path& build_dir) const {
  const PeerEntry& e = find(name);
  // Relative executables are built by us; absolute ones are a user's own stack.
  std::filesystem::path exe(e.executable);
  std::vector<std::string> argv{
      (exe.is_absolute() ? exe : std::filesystem::absolute(build_dir) / exe).lexically_normal().string()};
  auto args = expand(e.args, {{"registry", std::filesystem::absolute(file_).string()}},
                     file_.string() + ": peer '" + e.name + "': field 'args'");
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace wireproof::registry
