#include "harness/registry/tool_spec.hpp"

#include <algorithm>

#include "harness/registry/json_fields.hpp"

namespace wireproof::registry {

namespace f = fields;
using nlohmann::json;

const std::vector<std::string>& mappable_options() {
  static const std::vector<std::string> kOptions = {"ca", "cert", "key", "server-name", "mtu", "timer-initial-ms"};
  return kOptions;
}

namespace {

// Every placeholder an argv template may use; values are filled in by the wrapper.
const std::vector<std::string>& placeholder_names() {
  static const std::vector<std::string> kNames = {"host", "port", "connect", "connect_host", "connect_port",
                                                  "cert", "key",  "ca",      "server_name",  "mtu_ip",
                                                  "mtu_payload", "timer_ms"};
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

RoleSpec parse_role(const json& tool, const std::string& role, const std::string& where) {
  const std::string field = "tool." + role;
  const json& r = f::object(tool, role, where, "tool");
  f::only_keys(r,
               {"argv", "options", "ignored", "fixed", "ready", "handshake_done", "version", "cipher", "alerts", "errors",
                "closed", "data_streams", "echo", "note"},
               where, field);
  RoleSpec s;
  s.argv = f::strings(r, "argv", where, field);
  check_template(s.argv, where, field + ".argv");

  if (r.contains("options")) {
    const json& opts = f::object(r, "options", where, field);
    for (const auto& [name, frag] : opts.items()) {
      const auto& known = mappable_options();
      if (std::find(known.begin(), known.end(), name) == known.end())
        f::fail(where, field + ".options." + name, "not a contract option this registry can map");
      s.options[name] = f::strings(opts, name, where, field + ".options");
      check_template(s.options[name], where, field + ".options." + name);
    }
  }
  if (r.contains("ignored")) {
    const json& ign = f::object(r, "ignored", where, field);
    for (const auto& [name, note] : ign.items()) {
      if (s.options.contains(name)) f::fail(where, field + ".ignored." + name, "also listed in options");
      s.ignored[name] = f::string(ign, name, where, field + ".ignored");
    }
  }
  if (r.contains("fixed")) {
    const json& fx = f::object(r, "fixed", where, field);
    for (const auto& [name, spec] : fx.items()) {
      const std::string ff = field + ".fixed." + name;
      const auto& known = mappable_options();
      if (std::find(known.begin(), known.end(), name) == known.end())
        f::fail(where, ff, "not a contract option this registry can map");
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
  s.handshake_done = optional_pattern(r, "handshake_done", where, field, 0);
  s.version = optional_pattern(r, "version", where, field, 1);
  s.cipher = optional_pattern(r, "cipher", where, field, 1);
  if (!s.handshake_done) f::fail(where, field + ".handshake_done", "missing (a regex for the handshake's end)");

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

}  // namespace

ToolSpec parse_tool_spec(const json& tool, const std::string& where) {
  if (!tool.is_object()) f::fail(where, "tool", "expected an object");
  f::only_keys(tool, {"version", "client", "server", "version_names"}, where, "tool");
  ToolSpec spec;
  const json& v = f::object(tool, "version", where, "tool");
  f::only_keys(v, {"argv", "regex"}, where, "tool.version");
  spec.version_argv = f::strings(v, "argv", where, "tool.version");
  spec.version_regex = compile(f::string(v, "regex", where, "tool.version"), where, "tool.version.regex", 1);
  if (tool.contains("version_names")) {
    const json& names = f::object(tool, "version_names", where, "tool");
    for (const auto& [printed, name] : names.items())
      spec.version_names[printed] = f::string(names, printed, where, "tool.version_names");
  }
  spec.client = parse_role(tool, "client", where);
  spec.server = parse_role(tool, "server", where);
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
