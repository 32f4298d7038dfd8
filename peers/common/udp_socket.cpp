#include "peers/common/udp_socket.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wireproof::peers {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw SocketError(what + ": " + std::strerror(errno));
}

int new_udp_fd() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket(AF_INET, SOCK_DGRAM)");
  return fd;
}

}  // namespace

sockaddr_in resolve_ipv4(const HostPort& hp) {
  addrinfo hints{};
  hints.ai_family = AF_INET;  // the wire and the event log are IPv4
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string port = std::to_string(hp.port);
  if (int rc = ::getaddrinfo(hp.host.c_str(), port.c_str(), &hints, &res); rc != 0 || !res)
    throw SocketError("cannot resolve '" + hp.host + "' to an IPv4 address: " + ::gai_strerror(rc));
  sockaddr_in addr{};
  std::memcpy(&addr, res->ai_addr, sizeof addr);
  ::freeaddrinfo(res);
  return addr;
}

std::string to_string(const sockaddr_in& addr) {
  char buf[INET_ADDRSTRLEN] = "?";
  ::inet_ntop(AF_INET, &addr.sin_addr, buf, sizeof buf);
  return std::string(buf) + ":" + std::to_string(ntohs(addr.sin_port));
}

UdpSocket UdpSocket::bound(const HostPort& local) {
  sockaddr_in addr = resolve_ipv4(local);
  UdpSocket s(new_udp_fd());
  if (::bind(s.fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    fail("bind(" + to_string(addr) + ")");
  return s;
}

UdpSocket UdpSocket::connected(const HostPort& remote) {
  sockaddr_in addr = resolve_ipv4(remote);
  UdpSocket s(new_udp_fd());
  s.connect_to(addr);
  return s;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

std::uint16_t UdpSocket::local_port() const {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) fail("getsockname");
  return ntohs(addr.sin_port);
}

void UdpSocket::connect_to(const sockaddr_in& remote) {
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&remote), sizeof remote) != 0)
    fail("connect(" + to_string(remote) + ")");
}

}  // namespace wireproof::peers
