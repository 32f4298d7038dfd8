// wireproof-stock --tool NAME [--registry FILE] [peer contract flags]
//
// Speaks peers/CONTRACT.md for a stock command-line tool described in
// peers/registry.json: maps the contract's flags to the tool's argv (exit 127
// for a flag the tool has no equivalent for), runs it, and turns what it
// prints into the contract's events. See session.hpp for the run itself.
#include <signal.h>
#include <sys/signalfd.h>

#include <iostream>
#include <optional>
#include <regex>

#include <boost/process.hpp>

#include "peers/common/event_emitter.hpp"
#include "peers/common/options.hpp"
#include "harness/registry/registry.hpp"
#include "peers/stock/session.hpp"
#include "peers/stock/stock_options.hpp"
#include "peers/stock/unique_fd.hpp"

namespace bp = boost::process;
using namespace wireproof;
using nlohmann::json;

namespace {

void emit_error_line(const std::string& message) {
  std::cout << json{{"event", "error"}, {"message", message}}.dump() << std::endl;
}

// The tool's version from its version command, or "unavailable: why".
std::string tool_version(const registry::ToolSpec& tool) {
  auto exe = bp::search_path(tool.version_argv.at(0));
  if (exe.empty()) return "unavailable: " + tool.version_argv[0] + " not found on PATH";
  bp::ipstream out;
  std::error_code ec;
  bp::child c(exe, bp::args = std::vector<std::string>(tool.version_argv.begin() + 1, tool.version_argv.end()),
              bp::std_out > out, bp::std_err > bp::null, bp::std_in < bp::null, ec);
  if (ec) return "unavailable: " + ec.message();
  std::string line, found;
  std::smatch m;
  while (std::getline(out, line))
    if (found.empty() && std::regex_search(line, m, tool.version_regex.re)) found = m[1].str();
  c.wait();
  return found.empty() ? "unavailable: no line matched " + tool.version_regex.source : found;
}

// "HOST:PORT" as the tools take it: an IPv6 literal in brackets ("[2001:db8::2]:4433").
std::string host_port(const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::map<std::string, std::string> placeholder_values(const peers::PeerOptions& o) {
  std::map<std::string, std::string> v{{"host", o.listen.host},
                                       {"connect", host_port(o.connect.host, o.connect.port)},
                                       {"connect_host", o.connect.host},
                                       {"connect_port", std::to_string(o.connect.port)},
                                       {"cert", o.cert},
                                       {"key", o.key},
                                       {"ca", o.ca}};
  if (o.server_name) v["server_name"] = *o.server_name;
  if (o.mtu) {
    v["mtu_ip"] = std::to_string(*o.mtu);
    v["mtu_payload"] = std::to_string(*o.mtu - 28);  // minus IPv4 + UDP headers
  }
  if (o.timer_initial_ms) v["timer_ms"] = std::to_string(*o.timer_initial_ms);
  for (const auto& p : o.alpn) v["alpn"] += (v["alpn"].empty() ? "" : ",") + p;  // as given: a comma list
  if (o.key_log) v["key_log"] = *o.key_log;
  if (o.max_fragment_length) v["max_fragment_length"] = std::to_string(*o.max_fragment_length);
  if (o.record_size_limit) {
    v["record_size_limit"] = std::to_string(*o.record_size_limit);
    // The largest plaintext content the limit allows: in TLS 1.3 the
    // extension's value counts the inner content type (RFC 8449 4), and
    // gnutls-cli --recordsize takes the content size (asked for 513 it sent 514).
    v["record_size_content"] = std::to_string(*o.record_size_limit - (o.protocol == "tls1.3" ? 1 : 0));
  }
  return v;
}

// "h2,http/1.1" -> {"h2", "http/1.1"}: a placeholder's comma list, for a mapping's `each`.
std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (auto comma = list.find(','); comma != std::string::npos; comma = list.find(',', start)) {
    out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  out.push_back(list.substr(start));
  return out;
}

// Blocks the stop signals and returns a signalfd for them: the session loop
// sees a stop as readable fd and ends the tool first. SIGPIPE is blocked too,
// so writing to a tool that died returns EPIPE instead of killing us.
stock::UniqueFd stop_signal_fd() {
  sigset_t stop;
  sigemptyset(&stop);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&stop, s);
  sigset_t blocked = stop;
  sigaddset(&blocked, SIGPIPE);
  sigprocmask(SIG_BLOCK, &blocked, nullptr);
  return stock::UniqueFd(::signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK));
}

int run(std::vector<std::string> args) {
  const auto tool_name = stock::take_value(args, "--tool");
  const auto registry_file = stock::take_value(args, "--registry").value_or(registry::default_registry_file().string());
  if (!tool_name) {
    emit_error_line("usage: --tool NAME is required (a stock peer in the registry)");
    return stock::exit_code::usage;
  }
  std::optional<registry::Registry> reg;
  try {
    reg = registry::Registry::load(registry_file);
  } catch (const registry::RegistryError& e) {
    emit_error_line(e.what());
    return stock::exit_code::internal;
  }
  const registry::PeerEntry* entry = nullptr;
  try {
    entry = &reg->find(*tool_name);
  } catch (const registry::RegistryError& e) {
    emit_error_line(std::string("usage: ") + e.what());
    return stock::exit_code::usage;
  }
  if (!entry->tool) {
    emit_error_line("usage: peer '" + *tool_name + "' is a " + entry->kind + ", not a stock tool");
    return stock::exit_code::usage;
  }
  const registry::ToolSpec& tool = *entry->tool;

  const bool version_only = std::find(args.begin(), args.end(), "--version") != args.end();
  peers::PeerIdentity id{entry->implementation, version_only ? tool_version(tool) : "stock " + *tool_name};
  auto finish = [](const peers::ParseResult& r) {
    std::cout << r.stdout_text << std::flush;
    std::cerr << r.stderr_text;
    return r.exit_code;
  };
  auto parsed = stock::parse_stock_options(args, *entry, id);
  if (!parsed.options) return finish(parsed);
  finish(parsed);
  const peers::PeerOptions& o = *parsed.options;

  // The parser took only protocols the tool has a section for in this role.
  const registry::RoleSpec* role = tool.role_for(o.protocol, o.role == peers::Role::server);
  if (!role) return finish(peers::unsupported("--protocol " + o.protocol + " (" + *tool_name + " has no section for it)"));
  if (o.is_tls() && o.mtu)
    std::cerr << "wireproof-stock: --mtu ignored: over TCP the interface MTU is the wire's (TLS contract)\n";

  stock::SessionConfig cfg;
  cfg.opts = o;
  cfg.role = *role;
  cfg.tool = &tool;
  std::vector<registry::OptionMapping> fragments;  // appended after argv, in order
  if (auto pa = role->protocol_args.find(o.protocol); pa != role->protocol_args.end())
    fragments.push_back({pa->second, {}, std::nullopt, std::nullopt});
  std::map<std::string, std::string> env_templ;
  for (const auto& opt : stock::given_options(o)) {
    if (auto it = cfg.role.options.find(opt); it != cfg.role.options.end()) {
      fragments.push_back(it->second);
      if (it->second.stdin_midway) cfg.stdin_midway = it->second.stdin_midway;
      env_templ.insert(it->second.env.begin(), it->second.env.end());
    } else if (auto ig = cfg.role.ignored.find(opt); ig != cfg.role.ignored.end()) {
      std::cerr << "wireproof-stock: --" << opt << " ignored: " << ig->second << "\n";
    } else if (auto fx = cfg.role.fixed.find(opt); fx != cfg.role.fixed.end()) {
      std::cerr << "wireproof-stock: --" << opt << " ignored: fixed at " << fx->second.value << " (" << fx->second.note
                << ")\n";
    } else {
      const std::string what = "--" + opt + " (" + *tool_name + " has no equivalent)";
      emit_error_line("unsupported: " + what);
      std::cerr << "unsupported: " << what << "\n";
      return stock::exit_code::unsupported;
    }
  }
  if (auto fx = cfg.role.fixed.find("timer-initial-ms"); fx != cfg.role.fixed.end())
    cfg.timer_initial_ms_effective = fx->second.value;
  const auto values = placeholder_values(o);
  const std::string where = "peer '" + *tool_name + "'";
  cfg.argv_for_port = [templ = cfg.role.argv, fragments, values, where, listen_host = o.listen.host](std::uint16_t port) {
    auto v = values;
    v["port"] = std::to_string(port);
    v["listen"] = host_port(listen_host, port);
    auto argv = registry::expand(templ, v, where + " argv");
    for (const auto& f : fragments) {
      // "each": the fragment once per item of a comma list (--alpn h2 --alpn http/1.1).
      const std::vector<std::string> items = f.each ? split_list(v.at(*f.each)) : std::vector<std::string>{""};
      for (const auto& item : items) {
        auto vi = v;
        if (f.each) vi[*f.each] = item;
        auto extra = registry::expand(f.argv, vi, where + " options");
        argv.insert(argv.end(), extra.begin(), extra.end());
      }
    }
    return argv;
  };
  try {
    cfg.argv_for_port(0);  // a placeholder without a value fails here, before anything runs
    for (const auto& [name, templ] : env_templ) cfg.env[name] = registry::expand({templ}, values, where + " env").at(0);
  } catch (const registry::RegistryError& e) {
    emit_error_line(e.what());
    return stock::exit_code::internal;
  }

  auto sigfd = stop_signal_fd();
  if (!sigfd) {
    emit_error_line("signalfd failed");
    return stock::exit_code::internal;
  }
  cfg.signal_fd = sigfd.get();
  peers::EventEmitter events(std::cout);
  return stock::run_stock_session(cfg, events);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    emit_error_line(std::string("internal error: ") + e.what());
    return stock::exit_code::internal;
  }
}
