#include "harness/registry/tool_spec.hpp"

#include <algorithm>

#include "harness/registry/json_fields.hpp"

namespace wireproof::registry {

namespace f = fields;
using nlohmann::json;

const std::vector<std::string>& mappable_options() {
  static const std::vector<std::string> kOptions = {
      "ca",  "cert",        "key",       "server-name", "mtu",    "timer-initial-ms",    "alpn",
      "resume", "key-log", "max-fragment-length", "record-size-limit", "host-cert", "key-update", "early-data"};
  return kOptions;
}

const std::map<std::string, std::vector<std::string>>& valued_options() {
  static const std::map<std::string, std::vector<std::string>> kValued = {
      {"client-cert", {"none", "optional", "required"}}, {"unknown-sni", {"default", "alert"}}};
  return kValued;
}

const RoleSpec* ToolSpec::role_for(const std::string& protocol, bool server_role) const {
  if (protocol == "dtls1.2") return server_role ? &server : &client;
  const auto& r = server_role ? tls_server : tls_client;
  if (r && r->protocol_args.contains(protocol)) return &*r;
  return nullptr;
}

namespace {

// Every placeholder an argv template may use; values are filled in by the wrapper.
const std::vector<std::string>& placeholder_names() {
  static const std::vector<std::string> kNames = {"host", "port", "listen", "connect", "connect_host", "connect_port",
                                                  "cert", "key",  "ca",      "server_name",  "mtu_ip",
                                                  "mtu_payload", "timer_ms", "alpn", "key_log",
                                                  "max_fragment_length", "record_size_limit", "record_size_content"};
  return kNames;
}

Pattern compile(const std::string& source, const std::string& where, const std::string& field, unsigned min_groups) {
  Pattern p{source, {}};
  try {
    p.re = std::regex(source, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    f::fail(where, field, "bad regex '" + source + "': " + e.what());
  }
  if (p.re.mark_count() < min_groups)
    f::fail(where, field, "regex '" + source + "' needs " + std::to_string(min_groups) + " capture group(s)");
  return p;
}

std::optional<Pattern> optional_pattern(const json& obj, const std::string& key, const std::string& where,
                                        const std::string& field, unsigned min_groups) {
  if (!obj.contains(key)) return std::nullopt;
  return compile(f::string(obj, key, where, field), where, field + "." + key, min_groups);
}

int group_index(const json& obj, const std::string& key, int fallback, const Pattern& p, const std::string& where,
                const std::string& field) {
  if (!obj.contains(key)) return fallback;
  const json& v = obj[key];
  if (!v.is_number_integer() || v.get<int>() < 0 || v.get<unsigned>() > p.re.mark_count())
    f::fail(where, field + "." + key, "expected a capture group number 0.." + std::to_string(p.re.mark_count()));
  return v.get<int>();
}

// Expands a template with a value for every placeholder, so a misspelt
// placeholder fails when the registry loads, not in the middle of a run.
void check_template(const std::vector<std::string>& templ, const std::string& where, const std::string& field) {
  std::map<std::string, std::string> dummy;
  for (const auto& n : placeholder_names()) dummy[n] = "x";
  try {
    expand(templ, dummy, where);
  } catch (const RegistryError& e) {
    f::fail(where, field, e.what());
  }
}

bool is_mappable(const std::string& name) {
  const auto& known = mappable_options();
  return std::find(known.begin(), known.end(), name) != known.end();
}

// "name" or "name=value" (a valued option); fails naming the key otherwise.
void check_option_key(const std::string& key, const std::string& where, const std::string& field) {
  const auto eq = key.find('=');
  if (eq == std::string::npos) {
    if (valued_options().contains(key))
      f::fail(where, field, "a valued option: map each value as '" + key + "=VALUE'");
    if (!is_mappable(key)) f::fail(where, field, "not a contract option this registry can map");
    return;
  }
  auto it = valued_options().find(key.substr(0, eq));
  if (it == valued_options().end()) f::fail(where, field, "not a contract option mapped per value");
  if (std::find(it->second.begin(), it->second.end(), key.substr(eq + 1)) == it->second.end())
    f::fail(where, field, "not a value of --" + it->first);
}

OptionMapping parse_mapping(const json& opts, const std::string& name, const std::string& where,
                            const std::string& field) {
  OptionMapping m;
  const json& v = opts[name];
  if (v.is_array()) {
    m.argv = f::strings(opts, name, where, field.substr(0, field.rfind('.')), true);
  } else if (v.is_object()) {
    f::only_keys(v, {"argv", "env", "each", "stdin_midway"}, where, field);
    if (v.contains("stdin_midway")) m.stdin_midway = f::string(v, "stdin_midway", where, field);
    if (v.contains("argv")) m.argv = f::strings(v, "argv", where, field, true);
    if (v.contains("each")) {
      m.each = f::string(v, "each", where, field);
      const auto& names = placeholder_names();
      if (std::find(names.begin(), names.end(), *m.each) == names.end())
        f::fail(where, field + ".each", "'" + *m.each + "' is not a placeholder");
      if (std::none_of(m.argv.begin(), m.argv.end(),
                       [&](const std::string& a) { return a.find("{" + *m.each + "}") != std::string::npos; }))
        f::fail(where, field + ".each", "argv does not use {" + *m.each + "}");
    }
    if (v.contains("env")) {
      const json& env = f::object(v, "env", where, field);
      for (const auto& [var, value] : env.items()) {
        m.env[var] = f::string(env, var, where, field + ".env");
        check_template({m.env[var]}, where, field + ".env." + var);
      }
    }
    if (m.argv.empty() && m.env.empty() && !m.stdin_midway)
      f::fail(where, field, "maps to nothing (give argv, env or stdin_midway)");
  } else {
    f::fail(where, field, "expected an argv array or {\"argv\": [...], \"env\": {...}}");
  }
  check_template(m.argv, where, field);
  return m;
}

// One regex or an array of them that must all match (handshake_done).
std::vector<Pattern> all_of(const json& r, const std::string& key, const std::string& where, const std::string& field) {
  if (!r.contains(key)) f::fail(where, field + "." + key, "missing (a regex for the handshake's end)");
  std::vector<std::string> sources;
  if (r[key].is_string())
    sources.push_back(r[key].get<std::string>());
  else
    sources = f::strings(r, key, where, field);
  std::vector<Pattern> out;
  for (std::size_t i = 0; i < sources.size(); ++i)
    out.push_back(compile(sources[i], where, field + "." + key + (sources.size() > 1 ? "[" + std::to_string(i) + "]" : ""), 0));
  return out;
}

RoleSpec parse_role(const json& section, const std::string& role, const std::string& where, const std::string& parent,
                    bool tcp) {
  const std::string field = parent + "." + role;
  const json& r = f::object(section, role, where, parent);
  f::only_keys(r,
               {"argv", "protocol_args", "options", "ignored", "fixed", "ready", "handshake_done", "version", "cipher",
                "group", "alpn", "data_line", "alerts", "key_updates", "errors", "closed", "data_streams", "echo", "note"},
               where, field);
  RoleSpec s;
  s.tcp = tcp;
  s.argv = f::strings(r, "argv", where, field);
  check_template(s.argv, where, field + ".argv");
  if (r.contains("protocol_args")) {
    if (!tcp) f::fail(where, field + ".protocol_args", "only the tls section has per-protocol arguments");
    const json& pa = f::object(r, "protocol_args", where, field);
    for (const auto& [proto, frag] : pa.items()) {
      if (proto != "tls1.2" && proto != "tls1.3")
        f::fail(where, field + ".protocol_args." + proto, "expected tls1.2 or tls1.3");
      s.protocol_args[proto] = f::strings(pa, proto, where, field + ".protocol_args");
      check_template(s.protocol_args[proto], where, field + ".protocol_args." + proto);
    }
  }

  if (r.contains("options")) {
    const json& opts = f::object(r, "options", where, field);
    for (const auto& [name, frag] : opts.items()) {
      check_option_key(name, where, field + ".options." + name);
      s.options[name] = parse_mapping(opts, name, where, field + ".options." + name);
      if (s.options[name].stdin_midway && role != "client")
        f::fail(where, field + ".options." + name + ".stdin_midway", "only a client runs the echo workload");
    }
  }
  if (r.contains("ignored")) {
    const json& ign = f::object(r, "ignored", where, field);
    for (const auto& [name, note] : ign.items()) {
      check_option_key(name, where, field + ".ignored." + name);
      if (s.options.contains(name)) f::fail(where, field + ".ignored." + name, "also listed in options");
      s.ignored[name] = f::string(ign, name, where, field + ".ignored");
    }
  }
  if (r.contains("fixed")) {
    const json& fx = f::object(r, "fixed", where, field);
    for (const auto& [name, spec] : fx.items()) {
      const std::string ff = field + ".fixed." + name;
      if (!is_mappable(name)) f::fail(where, ff, "not a contract option this registry can map");
      if (s.options.contains(name)) f::fail(where, ff, "also listed in options");
      if (s.ignored.contains(name)) f::fail(where, ff, "also listed in ignored");
      if (!spec.is_object()) f::fail(where, ff, "expected an object {\"value\": N, \"note\": \"why\"}");
      f::only_keys(spec, {"value", "note"}, where, ff);
      if (!spec.contains("value") || !spec["value"].is_number_integer())
        f::fail(where, ff + ".value", "expected an integer (the value the tool always uses)");
      const auto v = spec["value"].get<long long>();
      if (v < 1 || v > 3600000) f::fail(where, ff + ".value", "expected 1..3600000, got " + std::to_string(v));
      s.fixed[name] = FixedOption{static_cast<int>(v), f::string(spec, "note", where, ff)};
    }
  }

  s.ready = optional_pattern(r, "ready", where, field, 0);
  s.handshake_done = all_of(r, "handshake_done", where, field);
  s.version = optional_pattern(r, "version", where, field, 1);
  s.cipher = optional_pattern(r, "cipher", where, field, 1);
  s.group = optional_pattern(r, "group", where, field, 1);
  s.alpn = optional_pattern(r, "alpn", where, field, 1);
  s.data_line = optional_pattern(r, "data_line", where, field, 0);

  if (r.contains("alerts")) {
    if (!r["alerts"].is_array()) f::fail(where, field + ".alerts", "expected an array of objects");
    for (std::size_t i = 0; i < r["alerts"].size(); ++i) {
      const json& a = r["alerts"][i];
      const std::string af = field + ".alerts[" + std::to_string(i) + "]";
      if (!a.is_object()) f::fail(where, af, "expected an object");
      f::only_keys(a, {"regex", "direction", "level_group", "description_group"}, where, af);
      AlertPattern ap;
      ap.pattern = compile(f::string(a, "regex", where, af), where, af + ".regex", 1);
      ap.direction = f::string(a, "direction", where, af);
      if (ap.direction != "received" && ap.direction != "sent")
        f::fail(where, af + ".direction", "expected 'received' or 'sent', got '" + ap.direction + "'");
      ap.level_group = group_index(a, "level_group", 0, ap.pattern, where, af);
      ap.description_group = group_index(a, "description_group", 1, ap.pattern, where, af);
      s.alerts.push_back(std::move(ap));
    }
  }
  if (r.contains("key_updates")) {
    if (!r["key_updates"].is_array()) f::fail(where, field + ".key_updates", "expected an array of objects");
    for (std::size_t i = 0; i < r["key_updates"].size(); ++i) {
      const json& k = r["key_updates"][i];
      const std::string kf = field + ".key_updates[" + std::to_string(i) + "]";
      if (!k.is_object()) f::fail(where, kf, "expected an object");
      f::only_keys(k, {"regex", "direction", "requested_group", "update_requested"}, where, kf);
      KeyUpdatePattern kp;
      kp.pattern = compile(f::string(k, "regex", where, kf), where, kf + ".regex", 0);
      kp.direction = f::string(k, "direction", where, kf);
      if (kp.direction != "received" && kp.direction != "sent")
        f::fail(where, kf + ".direction", "expected 'received' or 'sent', got '" + kp.direction + "'");
      kp.requested_group = group_index(k, "requested_group", 0, kp.pattern, where, kf);
      if (k.contains("update_requested")) {
        if (!k["update_requested"].is_boolean()) f::fail(where, kf + ".update_requested", "expected true or false");
        if (kp.requested_group > 0) f::fail(where, kf, "give requested_group or update_requested, not both");
        kp.requested = k["update_requested"].get<bool>();
      } else if (kp.requested_group == 0) {
        f::fail(where, kf, "missing requested_group or update_requested (what the line says about update_requested)");
      }
      s.key_updates.push_back(std::move(kp));
    }
  }
  if (r.contains("errors")) {
    auto list = f::strings(r, "errors", where, field);
    for (std::size_t i = 0; i < list.size(); ++i)
      s.errors.push_back(compile(list[i], where, field + ".errors[" + std::to_string(i) + "]", 0));
  }
  if (r.contains("closed")) {
    if (!r["closed"].is_array()) f::fail(where, field + ".closed", "expected an array of objects");
    for (std::size_t i = 0; i < r["closed"].size(); ++i) {
      const json& c = r["closed"][i];
      const std::string cf = field + ".closed[" + std::to_string(i) + "]";
      if (!c.is_object()) f::fail(where, cf, "expected an object");
      f::only_keys(c, {"regex", "reason"}, where, cf);
      s.closed.push_back({compile(f::string(c, "regex", where, cf), where, cf + ".regex", 0),
                          f::string(c, "reason", where, cf)});
    }
  }
  s.data_streams = r.contains("data_streams") ? f::strings(r, "data_streams", where, field)
                                              : std::vector<std::string>{"stdout"};
  for (const auto& d : s.data_streams)
    if (d != "stdout" && d != "stderr")
      f::fail(where, field + ".data_streams", "expected 'stdout' or 'stderr', got '" + d + "'");
  const std::string echo = f::string_or(r, "echo", "tool", where, field);
  if (echo != "tool" && echo != "wrapper") f::fail(where, field + ".echo", "expected 'tool' or 'wrapper'");
  s.wrapper_echoes = echo == "wrapper";
  return s;
}

// Reads a name map ("version_names", "group_names"): tool spelling -> contract spelling.
std::map<std::string, std::string> name_map(const json& tool, const std::string& key, const std::string& where) {
  std::map<std::string, std::string> out;
  if (!tool.contains(key)) return out;
  const json& names = f::object(tool, key, where, "tool");
  for (const auto& [printed, name] : names.items()) out[printed] = f::string(names, printed, where, "tool." + key);
  return out;
}

bool lists(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

ToolSpec parse_tool_spec(const json& tool, const std::string& where, const std::vector<std::string>& protocols) {
  if (!tool.is_object()) f::fail(where, "tool", "expected an object");
  f::only_keys(tool, {"version", "client", "server", "tls", "version_names", "group_names"}, where, "tool");
  ToolSpec spec;
  const json& v = f::object(tool, "version", where, "tool");
  f::only_keys(v, {"argv", "regex"}, where, "tool.version");
  spec.version_argv = f::strings(v, "argv", where, "tool.version");
  spec.version_regex = compile(f::string(v, "regex", where, "tool.version"), where, "tool.version.regex", 1);
  spec.version_names = name_map(tool, "version_names", where);
  spec.group_names = name_map(tool, "group_names", where);
  for (const auto& p : protocols)
    if (p != "dtls1.2" && p != "tls1.2" && p != "tls1.3")
      f::fail(where, "protocols", "a stock tool section describes dtls1.2, tls1.2 and tls1.3, not '" + p + "'");
  // DTLS 1.2: the top-level client/server, as before TLS existed.
  if (lists(protocols, "dtls1.2")) {
    spec.client = parse_role(tool, "client", where, "tool", false);
    spec.server = parse_role(tool, "server", where, "tool", false);
  } else if (tool.contains("client") || tool.contains("server")) {
    f::fail(where, "tool.client", "describes DTLS 1.2, which 'protocols' does not list");
  }
  const bool tls = lists(protocols, "tls1.2") || lists(protocols, "tls1.3");
  if (!tls && tool.contains("tls")) f::fail(where, "tool.tls", "describes TLS, which 'protocols' does not list");
  if (tls) {
    const json& t = f::object(tool, "tls", where, "tool");
    f::only_keys(t, {"client", "server", "note"}, where, "tool.tls");
    spec.tls_client = parse_role(t, "client", where, "tool.tls", true);
    spec.tls_server = parse_role(t, "server", where, "tool.tls", true);
    for (const RoleSpec* r : {&*spec.tls_client, &*spec.tls_server}) {
      const std::string field = std::string("tool.tls.") + (r == &*spec.tls_client ? "client" : "server") + ".protocol_args";
      for (const auto& p : {"tls1.2", "tls1.3"}) {
        if (lists(protocols, p) && !r->protocol_args.contains(p))
          f::fail(where, field, std::string("missing '") + p + "' (the arguments that pin the version)");
        if (!lists(protocols, p) && r->protocol_args.contains(p))
          f::fail(where, field + "." + p, "a protocol 'protocols' does not list");
      }
    }
  }
  return spec;
}

std::vector<std::string> expand(const std::vector<std::string>& templ,
                                const std::map<std::string, std::string>& values, const std::string& where) {
  std::vector<std::string> out;
  out.reserve(templ.size());
  for (const auto& arg : templ) {
    std::string result;
    for (std::size_t i = 0; i < arg.size();) {
      if (arg[i] != '{') {
        result += arg[i++];
        continue;
      }
      auto close = arg.find('}', i);
      if (close == std::string::npos) throw RegistryError(where + ": unclosed '{' in argument '" + arg + "'");
      const std::string name = arg.substr(i + 1, close - i - 1);
      auto it = values.find(name);
      if (it == values.end()) throw RegistryError(where + ": no value for placeholder {" + name + "} in '" + arg + "'");
      result += it->second;
      i = close + 1;
    }
    out.push_back(std::move(result));
  }
  return out;
}

}  // namespace wireproof::registry
