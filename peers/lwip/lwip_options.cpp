#include "peers/lwip/lwip_options.hpp"

#include <sys/socket.h>
#include <sys/stat.h>

#include <utility>

namespace wireproof::peers::lwip {
namespace {

LwipParseResult done(ParseResult r) { return {std::nullopt, tcp_outcome(std::move(r))}; }

// --local-address [2001:db8::1] -> 2001:db8::1 (written as in --listen); IPv4 passes unchanged.
std::string strip_brackets(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
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

bool lwip_supports(TcpWorkload w, Role role) {
  // lwIP's raw API has no way to send urgent data (tcp_write takes no URG
  // flag), so only the server runs urgent: it reads what lwIP delivers.
  return w != TcpWorkload::urgent || role == Role::server;
}

LwipParseResult parse_lwip_options(const std::vector<std::string>& args, const PeerIdentity& id) {
  auto parsed = parse_tcp_peer_options(args, id, TcpParseRules{.packet_port = true});
  if (!parsed.options) return {std::nullopt, std::move(parsed)};
  LwipOptions o;
  o.tcp = std::move(*parsed.options);

  if (!lwip_supports(o.tcp.workload, o.tcp.role)) return done(unsupported("--workload " + tcp_workload_name(o.tcp.workload)));
  if (!o.tcp.packet_fd) return done(usage_error("--packet-fd N is required: lwIP runs over an inherited packet socket"));
  o.packet_fd = *o.tcp.packet_fd;
  o.local_address = strip_brackets(*o.tcp.local_address);  // the common parser gives both or neither
  if (o.tcp.mtu) o.mtu = *o.tcp.mtu;
  if (auto problem = packet_fd_problem(o.packet_fd); !problem.empty()) return done(usage_error(problem));
  return {std::move(o), {}};
}

}  // namespace wireproof::peers::lwip
