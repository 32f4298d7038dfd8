#include "peers/common/tcp_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wireproof::peers {
namespace {

std::string errno_text(const std::string& call) { return call + ": " + std::strerror(errno); }

// The numeric address of hp (no name lookup: the contract passes literals).
sockaddr_storage numeric_address(const HostPort& hp, socklen_t& len) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(hp.port);
  if (int rc = ::getaddrinfo(hp.host.c_str(), port.c_str(), &hints, &found); rc != 0)
    throw SocketError("'" + hp.host + "' is not an IPv4 or IPv6 address literal: " + ::gai_strerror(rc));
  sockaddr_storage out{};
  std::memcpy(&out, found->ai_addr, found->ai_addrlen);
  len = found->ai_addrlen;
  ::freeaddrinfo(found);
  return out;
}

int nonblocking_stream(int family) {
  int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw SocketError(errno_text("socket"));
  return fd;
}

std::string name_of(int fd, int (*get)(int, sockaddr*, socklen_t*)) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (get(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return "";
  return address_text(a);
}

}  // namespace

std::string address_text(const sockaddr_storage& addr) {
  char host[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    ::inet_ntop(AF_INET6, &a.sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(a.sin6_port));
  }
  const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
  ::inet_ntop(AF_INET, &a.sin_addr, host, sizeof host);
  return std::string(host) + ":" + std::to_string(ntohs(a.sin_port));
}

TcpSocket TcpSocket::listening(const HostPort& local) {
  socklen_t len = 0;
  sockaddr_storage addr = numeric_address(local, len);
  TcpSocket s(nonblocking_stream(addr.ss_family));
  int one = 1;
  ::setsockopt(s.fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(s.fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0)
    throw SocketError(errno_text("bind " + local.host + ":" + std::to_string(local.port)));
  if (::listen(s.fd_, 4) != 0) throw SocketError(errno_text("listen"));
  return s;
}

TcpSocket TcpSocket::connecting(const HostPort& remote) {
  socklen_t len = 0;
  sockaddr_storage addr = numeric_address(remote, len);
  TcpSocket s(nonblocking_stream(addr.ss_family));
  if (::connect(s.fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 && errno != EINPROGRESS)
    throw SocketError(errno_text("connect " + remote.host + ":" + std::to_string(remote.port)));
  return s;
}

TcpSocket& TcpSocket::operator=(TcpSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

TcpSocket::~TcpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<TcpSocket> TcpSocket::accept() {
  int fd = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd >= 0) return TcpSocket(fd);
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) return std::nullopt;
  throw SocketError(errno_text("accept"));
}

int TcpSocket::connect_result() const {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

std::uint16_t TcpSocket::local_port() const {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) return 0;
  return ntohs(a.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(a).sin6_port
                                       : reinterpret_cast<sockaddr_in&>(a).sin_port);
}

std::string TcpSocket::local_address() const { return name_of(fd_, ::getsockname); }
std::string TcpSocket::remote_address() const { return name_of(fd_, ::getpeername); }

}  // namespace wireproof::peers
