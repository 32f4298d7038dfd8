#include "peers/stock/proc_sockets.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "peers/stock/unique_fd.hpp"

namespace wireproof::stock {

namespace {

// One row of /proc/net/{tcp,udp}{,6}: "sl local rem st ...".
struct Row {
  std::string local;   // "0100007F:1F90"
  unsigned state = 0;  // TCP: 0x0A LISTEN
};

std::vector<Row> rows(const char* file) {
  std::vector<Row> out;
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, remote, state;
    Row r;
    fields >> slot >> r.local >> remote >> state;
    if (!fields) continue;
    r.state = static_cast<unsigned>(std::stoul(state, nullptr, 16));
    out.push_back(std::move(r));
  }
  return out;
}

unsigned port_of(const std::string& hex_addr) {
  auto colon = hex_addr.rfind(':');
  return colon == std::string::npos ? 0 : static_cast<unsigned>(std::stoul(hex_addr.substr(colon + 1), nullptr, 16));
}

// "127.0.0.1:4433", "[::1]:4433" (an IPv4-mapped peer of an IPv6 socket stays "[::ffff:...]").
std::optional<std::string> endpoint(const sockaddr_storage& a) {
  char text[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(a);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(ntohs(v4.sin_port));
  }
  if (a.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(a);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    return "[" + std::string(text) + "]:" + std::to_string(ntohs(v6.sin6_port));
  }
  return std::nullopt;  // a Unix stream socket, say
}

// Both ends of the TCP connection `sock` holds; nullopt for any other socket
// (listening, still connecting: getpeername fails with ENOTCONN).
std::optional<TcpConnection> connection_of(int sock) {
  int type = 0;
  socklen_t type_len = sizeof type;
  if (::getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0 || type != SOCK_STREAM) return std::nullopt;
  sockaddr_storage local{}, remote{};
  socklen_t local_len = sizeof local, remote_len = sizeof remote;
  if (::getsockname(sock, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
      ::getpeername(sock, reinterpret_cast<sockaddr*>(&remote), &remote_len) != 0)
    return std::nullopt;
  auto l = endpoint(local), r = endpoint(remote);
  if (!l || !r) return std::nullopt;
  return TcpConnection{*l, *r};
}

}  // namespace

std::uint16_t pick_free_port(Transport t, const std::string& host) {
  const int type = t == Transport::tcp ? SOCK_STREAM : SOCK_DGRAM;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = type;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), "0", &hints, &found); rc != 0 || !found)
    throw std::runtime_error("listen host " + host + ": " + ::gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(found, &::freeaddrinfo);
  UniqueFd fd(::socket(found->ai_family, type | SOCK_CLOEXEC, 0));
  if (!fd) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  if (::bind(fd.get(), found->ai_addr, found->ai_addrlen) != 0)
    throw std::runtime_error("bind " + host + " port 0: " + std::strerror(errno));
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &len) != 0)
    throw std::runtime_error(std::string("getsockname: ") + std::strerror(errno));
  return ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6&>(bound).sin6_port
                                           : reinterpret_cast<const sockaddr_in&>(bound).sin_port);
}

bool port_ready(std::uint16_t port, Transport t) {
  const bool tcp = t == Transport::tcp;
  for (const char* file : tcp ? std::vector<const char*>{"/proc/net/tcp", "/proc/net/tcp6"}
                              : std::vector<const char*>{"/proc/net/udp", "/proc/net/udp6"})
    for (const auto& r : rows(file))
      if (port_of(r.local) == port && (!tcp || r.state == 0x0A)) return true;
  return false;
}

std::optional<TcpConnection> established_tcp(pid_t pid) {
  // Each of the tool's sockets is copied into this process (pidfd_getfd,
  // Linux 5.6; the tool is our child) and asked for its addresses. That takes
  // microseconds, where reading /proc/net/tcp{,6} took 10-20 ms here: longer
  // than a whole loopback TLS run, so the connection could come and go unseen.
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) return std::nullopt;
  std::error_code ec;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    const std::string target = std::filesystem::read_symlink(fd.path(), ec).string();
    if (ec || target.rfind("socket:[", 0) != 0) continue;
    const std::string name = fd.path().filename().string();
    int number = -1;
    if (std::from_chars(name.data(), name.data() + name.size(), number).ec != std::errc{}) continue;
    UniqueFd copy(static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), number, 0)));
    if (!copy) continue;
    if (auto conn = connection_of(copy.get())) return conn;
  }
  return std::nullopt;
}

}  // namespace wireproof::stock
