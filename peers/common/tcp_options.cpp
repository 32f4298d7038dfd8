#include "peers/common/tcp_options.hpp"

#include <array>
#include <charconv>
#include <stdexcept>
#include <utility>

#include <CLI/CLI.hpp>

#include "peers/contract_limits.hpp"

namespace wireproof::peers {
namespace {

constexpr std::array<std::pair<TcpWorkload, const char*>, 9> kWorkloads{{
    {TcpWorkload::echo, "echo"},
    {TcpWorkload::bulk, "bulk"},
    {TcpWorkload::stall, "stall"},
    {TcpWorkload::keepalive, "keepalive"},
    {TcpWorkload::urgent, "urgent"},
    {TcpWorkload::half_close, "half-close"},
    {TcpWorkload::abort_unread, "abort-unread"},
    {TcpWorkload::linger_abort, "linger-abort"},
    {TcpWorkload::reconnect, "reconnect"},
}};

// "IDLE_S,INTVL_S,COUNT", each a positive integer (the kernel's own ranges).
Keepalive parse_keepalive(const std::string& text) {
  Keepalive k;
  int* fields[] = {&k.idle_s, &k.intvl_s, &k.count};
  const int max[] = {32767, 32767, 127};  // TCP_KEEPIDLE/INTVL max (MAX_TCP_KEEPIDLE), TCP_KEEPCNT max
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 3; ++i) {
    auto [next, ec] = std::from_chars(p, end, *fields[i]);
    if (ec != std::errc{} || *fields[i] < 1 || *fields[i] > max[i])
      throw std::invalid_argument("--keepalive '" + text + "': expected IDLE_S,INTVL_S,COUNT, positive integers (idle and interval up to 32767 s, count up to 127)");
    p = next;
    if (i < 2) {
      if (p == end || *p != ',') throw std::invalid_argument("--keepalive '" + text + "': expected IDLE_S,INTVL_S,COUNT");
      ++p;
    }
  }
  if (p != end) throw std::invalid_argument("--keepalive '" + text + "': trailing text after COUNT");
  return k;
}

TcpParseResult from(ParseResult r) { return tcp_outcome(std::move(r)); }

}  // namespace

TcpParseResult tcp_outcome(ParseResult r) {
  TcpParseResult t;
  t.exit_code = r.exit_code;
  t.stdout_text = std::move(r.stdout_text);
  t.stderr_text = std::move(r.stderr_text);
  return t;
}

std::optional<TcpWorkload> tcp_workload_from_name(const std::string& name) {
  for (const auto& [w, n] : kWorkloads)
    if (name == n) return w;
  return std::nullopt;
}

std::string tcp_workload_name(TcpWorkload w) {
  for (const auto& [value, n] : kWorkloads)
    if (value == w) return n;
  return "?";
}

TcpParseResult parse_tcp_peer_options(const std::vector<std::string>& args, const PeerIdentity& id,
                                      TcpParseRules rules) {
  if (auto v = version_answer(args, id)) return from(std::move(*v));

  TcpPeerOptions o;
  std::string role, protocol, listen, connect, workload = "echo", keepalive;
  CLI::App app{"wireproof TCP peer (" + id.implementation + " " + id.version + "), speaking peers/CONTRACT.md \"TCP\""};
  app.allow_extras();
  app.add_option("--role", role, "client|server")->check(CLI::IsMember({"client", "server"}));
  app.add_option("--protocol", protocol, "tcp");
  app.add_option("--listen", listen, "server: ADDR:PORT or [IPv6]:PORT to listen on (port 0 = ephemeral)");
  app.add_option("--connect", connect, "client: ADDR:PORT or [IPv6]:PORT to connect to");
  app.add_option("--workload", workload, "echo|bulk|stall|keepalive|urgent|half-close|abort-unread|linger-abort|reconnect");
  app.add_option("--echo-bytes", o.echo_bytes, "workload: pattern bytes the client sends")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1} << 32));
  app.add_option("--chunk", o.chunk, "workload: pattern bytes per write (an 8-byte index leads each)")
      ->check(CLI::Range(1u, contract::kTcp.chunk_max));
  app.add_option("--stall-ms", o.stall_ms, "stall: the server stops reading for N ms")->check(CLI::Range(0, 3600000));
  app.add_option("--keepalive", keepalive, "keepalive: IDLE_S,INTVL_S,COUNT");
  app.add_option("--idle-timeout-ms", o.idle_timeout_ms, "give up after N ms with nothing received (before any data)")
      ->check(CLI::Range(1, 3600000));
  app.add_option("--handshake-timeout-ms", o.handshake_timeout_ms, "give up when the handshake is not done after N ms")
      ->check(CLI::Range(1, 3600000));
  app.add_flag("--nonblocking", o.nonblocking, "non-blocking sockets driven by poll (default: blocking)");
  app.add_option("--mtu", o.mtu, "interface MTU (kernel peers: the wire's, ignored)")
      ->check(CLI::Range(contract::kTcp.mtu_min, contract::kTcp.mtu_max));
  std::optional<int> packet_fd;
  std::optional<std::string> local_address;
  if (rules.packet_port) {
    app.add_option("--packet-fd", packet_fd, "user-space stacks: the packet port's fd")->check(CLI::Range(0, 1 << 20));
    app.add_option("--local-address", local_address, "user-space stacks: this side's IP address");
  }
  bool version_flag = false;  // answered before parsing; declared so --help lists it
  app.add_flag("--version", version_flag, "print one JSON version line and exit");

  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 wants a vector reversed
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    TcpParseResult r;
    r.stderr_text = app.help();
    return r;
  } catch (const CLI::ParseError& e) {
    return from(usage_error(e.what()));
  }
  if (auto unknown = first_unknown_option(app.remaining())) return from(unsupported(*unknown));
  if (!app.remaining().empty()) return from(usage_error("unexpected argument '" + app.remaining().front() + "'"));

  if (role.empty()) return from(usage_error("--role client|server is required"));
  o.role = role == "server" ? Role::server : Role::client;
  if (protocol.empty()) return from(usage_error("--protocol is required (this peer speaks tcp)"));
  if (protocol != "tcp") return from(unsupported("--protocol " + protocol));
  auto w = tcp_workload_from_name(workload);
  if (!w) return from(unsupported("--workload " + workload));
  o.workload = *w;
  try {
    if (!keepalive.empty()) o.keepalive = parse_keepalive(keepalive);
    if (o.role == Role::server) {
      if (!listen.empty()) o.listen = parse_host_port(listen);
    } else {
      if (connect.empty()) return from(usage_error("a client needs --connect ADDR:PORT"));
      o.connect = parse_host_port(connect);
      if (o.connect.port == 0) return from(usage_error("--connect needs a non-zero port"));
    }
  } catch (const std::invalid_argument& e) {
    return from(usage_error(e.what()));
  }
  if (o.workload == TcpWorkload::keepalive && !o.keepalive)
    return from(usage_error("--workload keepalive needs --keepalive IDLE_S,INTVL_S,COUNT"));
  if (rules.packet_port) {
    if (packet_fd.has_value() != local_address.has_value())
      return from(usage_error("--packet-fd and --local-address go together"));
    o.packet_fd = packet_fd;
    o.local_address = local_address;
  }
  TcpParseResult r;
  r.options = std::move(o);
  return r;
}

}  // namespace wireproof::peers
