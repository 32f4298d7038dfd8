#include "peers/lwip/lwip_options.hpp"

#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

#include <CLI/CLI.hpp>

#include "peers/contract_limits.hpp"

namespace wireproof::peers::lwip {
namespace {

constexpr std::array<std::pair<const char*, Workload>, 7> kWorkloads{{
    {"echo", Workload::echo},
    {"bulk", Workload::bulk},
    {"stall", Workload::stall},
    {"keepalive", Workload::keepalive},
    {"half-close", Workload::half_close},
    {"abort-unread", Workload::abort_unread},
    {"linger-abort", Workload::linger_abort},
}};
// In the contract, not in this peer: lwIP's raw API has no MSG_OOB delivery
// to report, and reconnect needs a server that restarts (a second process).
constexpr std::array<const char*, 2> kUnsupportedWorkloads{"urgent", "reconnect"};

LwipParseResult done(ParseResult r) { return {std::nullopt, std::move(r)}; }

// --local-address [2001:db8::1] -> 2001:db8::1 (written as in --listen); IPv4 passes unchanged.
std::string strip_brackets(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

std::optional<Keepalive> parse_keepalive(const std::string& text) {
  Keepalive k;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%d,%d,%d%c", &k.idle_s, &k.intvl_s, &k.count, &tail) != 3) return std::nullopt;
  if (k.idle_s < 1 || k.intvl_s < 1 || k.count < 1) return std::nullopt;
  return k;
}

// Empty when fd is a SOCK_SEQPACKET socket, else why not.
std::string packet_fd_problem(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return "--packet-fd " + std::to_string(fd) + " is not an open file descriptor";
  if (!S_ISSOCK(st.st_mode)) return "--packet-fd " + std::to_string(fd) + " is not a socket";
  int type = 0;
  socklen_t len = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_SEQPACKET)
    return "--packet-fd " + std::to_string(fd) + " is not a SOCK_SEQPACKET socket (one message = one IP packet)";
  return "";
}

}  // namespace

const char* workload_name(Workload w) {
  for (const auto& [name, value] : kWorkloads)
    if (value == w) return name;
  return "?";
}

LwipParseResult parse_lwip_options(const std::vector<std::string>& args, const PeerIdentity& id) {
  if (auto v = version_answer(args, id)) return done(*v);

  LwipOptions o;
  std::string role, protocol, listen, connect, workload = "echo", keepalive;
  bool nonblocking = false, version_flag = false;
  CLI::App app{"wireproof-lwip (lwIP " + id.version + " over a packet fd), speaking peers/CONTRACT.md \"TCP\""};
  app.allow_extras();
  app.add_option("--role", role, "client|server")->check(CLI::IsMember({"client", "server"}));
  app.add_option("--protocol", protocol, "tcp");
  app.add_option("--listen", listen, "server: ADDR:PORT to bind (port 0 = ephemeral), ADDR IPv4 or [IPv6]");
  app.add_option("--connect", connect, "client: ADDR:PORT to connect to");
  app.add_option("--workload", workload, "echo|bulk|stall|keepalive|half-close|abort-unread|linger-abort");
  app.add_option("--echo-bytes", o.echo_bytes, "workload: pattern bytes the client sends")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 32));
  app.add_option("--chunk", o.chunk, "workload: pattern bytes per record (8-byte index + chunk)")
      ->check(CLI::Range(1u, contract::kTcp.chunk_max));
  app.add_option("--stall-ms", o.stall_ms, "stall: the server stops reading for T ms")->check(CLI::Range(0, 3600000));
  app.add_option("--keepalive", keepalive, "keepalive: IDLE_S,INTVL_S,COUNT");
  app.add_option("--idle-timeout-ms", o.idle_timeout_ms, "end after N ms with nothing received, before any data")
      ->check(CLI::Range(1, 3600000));
  app.add_option("--handshake-timeout-ms", o.handshake_timeout_ms, "give up connecting after N ms")
      ->check(CLI::Range(1, 3600000));
  app.add_flag("--nonblocking", nonblocking, "accepted: lwIP's raw API is event-driven either way");
  app.add_option("--mtu", o.mtu, "the netif's MTU (IP header included)")
      ->check(CLI::Range(contract::kTcp.mtu_min, contract::kTcp.mtu_max));
  app.add_option("--packet-fd", o.packet_fd, "inherited SOCK_SEQPACKET socket carrying IP packets")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--local-address", o.local_address, "this stack's address (198.18.0.x or 2001:db8::x)");
  app.add_flag("--version", version_flag, "print one JSON version line and exit");

  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 wants argv order reversed
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    ParseResult r;
    r.stderr_text = app.help();
    return done(std::move(r));
  } catch (const CLI::ParseError& e) {
    return done(usage_error(e.what()));
  }
  if (auto unknown = first_unknown_option(app.remaining())) return done(unsupported(*unknown));
  if (!app.remaining().empty()) return done(usage_error("unexpected argument '" + app.remaining().front() + "'"));

  if (role.empty()) return done(usage_error("--role client|server is required"));
  o.role = role == "server" ? Role::server : Role::client;
  if (protocol.empty()) return done(usage_error("--protocol is required (this peer speaks tcp)"));
  if (protocol != "tcp") return done(unsupported("--protocol " + protocol));

  if (std::find(kUnsupportedWorkloads.begin(), kUnsupportedWorkloads.end(), workload) != kUnsupportedWorkloads.end())
    return done(unsupported("--workload " + workload));
  auto known = std::find_if(kWorkloads.begin(), kWorkloads.end(), [&](const auto& w) { return workload == w.first; });
  if (known == kWorkloads.end()) return done(usage_error("--workload '" + workload + "' is not a contract workload"));
  o.workload = known->second;
  if (!keepalive.empty()) {
    o.keepalive = parse_keepalive(keepalive);
    if (!o.keepalive) return done(usage_error("--keepalive '" + keepalive + "' is not IDLE_S,INTVL_S,COUNT (each >= 1)"));
  }
  if (o.workload == Workload::keepalive && !o.keepalive)
    return done(usage_error("--workload keepalive needs --keepalive IDLE_S,INTVL_S,COUNT"));

  try {
    if (o.role == Role::server) {
      if (listen.empty()) return done(usage_error("a server needs --listen ADDR:PORT"));
      o.listen = parse_host_port(listen);
    } else {
      if (connect.empty()) return done(usage_error("a client needs --connect ADDR:PORT"));
      o.connect = parse_host_port(connect);
      if (o.connect.port == 0) return done(usage_error("--connect needs a non-zero port"));
    }
  } catch (const std::invalid_argument& e) {
    return done(usage_error(e.what()));
  }
  if (o.packet_fd < 0) return done(usage_error("--packet-fd N is required: lwIP runs over an inherited packet socket"));
  if (o.local_address.empty()) return done(usage_error("--local-address ADDR is required (the netif's address)"));
  o.local_address = strip_brackets(o.local_address);
  if (auto problem = packet_fd_problem(o.packet_fd); !problem.empty()) return done(usage_error(problem));
  return {std::move(o), {}};
}

}  // namespace wireproof::peers::lwip
