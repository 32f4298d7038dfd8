#include "peers/stock/proc_sockets.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "peers/stock/unique_fd.hpp"

namespace wireproof::stock {

namespace {

// One row of /proc/net/{tcp,udp}{,6}: "sl local rem st ... uid timeout inode".
struct Row {
  std::string local, remote;  // "0100007F:1F90"
  unsigned state = 0;         // TCP: 0x01 ESTABLISHED, 0x0A LISTEN
  std::string inode;
};

std::vector<Row> rows(const char* file) {
  std::vector<Row> out;
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, state, queues, timer, retr, uid, timeout;
    Row r;
    fields >> slot >> r.local >> r.remote >> state >> queues >> timer >> retr >> uid >> timeout >> r.inode;
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

// The kernel prints each 32-bit word of the address as the host-order integer
// it holds (%08X): reading the words back the same way restores the bytes.
std::string address_of(const std::string& hex_addr) {
  auto colon = hex_addr.rfind(':');
  const std::string hex = hex_addr.substr(0, colon);
  char text[INET6_ADDRSTRLEN] = {};
  const std::string port = std::to_string(port_of(hex_addr));
  if (hex.size() == 8) {
    in_addr a{};
    a.s_addr = static_cast<std::uint32_t>(std::stoul(hex, nullptr, 16));
    ::inet_ntop(AF_INET, &a, text, sizeof text);
    return std::string(text) + ":" + port;
  }
  in6_addr a{};
  for (int w = 0; w < 4 && hex.size() == 32; ++w) {
    auto word = static_cast<std::uint32_t>(std::stoul(hex.substr(static_cast<std::size_t>(w) * 8, 8), nullptr, 16));
    std::memcpy(a.s6_addr + w * 4, &word, 4);
  }
  ::inet_ntop(AF_INET6, &a, text, sizeof text);
  return "[" + std::string(text) + "]:" + port;
}

}  // namespace

std::uint16_t pick_free_port(Transport t) {
  UniqueFd fd(::socket(AF_INET, (t == Transport::tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0));
  if (!fd) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error(std::string("bind 127.0.0.1:0: ") + std::strerror(errno));
  socklen_t len = sizeof addr;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error(std::string("getsockname: ") + std::strerror(errno));
  return ntohs(addr.sin_port);
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
  std::set<std::string> inodes;  // "socket:[12345]" links in /proc/PID/fd
  std::error_code ec;
  for (const auto& fd : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    const std::string target = std::filesystem::read_symlink(fd.path(), ec).string();
    if (!ec && target.rfind("socket:[", 0) == 0) inodes.insert(target.substr(8, target.size() - 9));
  }
  if (inodes.empty()) return std::nullopt;
  for (const char* file : {"/proc/net/tcp", "/proc/net/tcp6"})
    for (const auto& r : rows(file))
      if (r.state == 0x01 && inodes.contains(r.inode)) return TcpConnection{address_of(r.local), address_of(r.remote)};
  return std::nullopt;
}

}  // namespace wireproof::stock
