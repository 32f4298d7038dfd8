#include "peers/linux/tcp_conn.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace wireproof::peers::linux_tcp {
namespace {

constexpr auto kSendSlice = std::chrono::milliseconds(100);

// sockaddr for an IPv4 or IPv6 literal (the harness never passes names).
socklen_t to_sockaddr(const HostPort& hp, sockaddr_storage& out) {
  out = {};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (::inet_pton(AF_INET, hp.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(hp.port);
    return sizeof(sockaddr_in);
  }
  if (::inet_pton(AF_INET6, hp.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(hp.port);
    return sizeof(sockaddr_in6);
  }
  throw SocketSetupError("'" + hp.host + "' is not an IPv4 or IPv6 address", EINVAL);
}

[[noreturn]] void fail(const std::string& call) {
  int err = errno;
  throw SocketSetupError(call + ": " + std::strerror(err), err);
}

void set_nonblocking(int fd, bool on) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK) != 0) fail("fcntl(O_NONBLOCK)");
}

int poll_ms(std::optional<Clock::time_point> deadline) {
  if (!deadline) return -1;
  auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

// Polls fd and the stop fd until one is ready or the deadline passes.
TcpConn::Ready wait_on(int fd, short events, StopSignal& stop, std::optional<Clock::time_point> deadline) {
  if (stop.requested()) return {.stopped = true};  // seen (and its fd read) by an earlier wait
  for (;;) {
    pollfd p[2] = {{fd, events, 0}, {stop.fd(), POLLIN, 0}};
    int rc = ::poll(p, 2, poll_ms(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) fail("poll");
    if (p[1].revents != 0 && stop.requested()) return {.stopped = true};
    if (p[0].revents != 0) return {.revents = p[0].revents};
    if (deadline && Clock::now() >= *deadline) return {.timed_out = true};
  }
}

Io from_wait(const TcpConn::Ready& r, const char* call) {
  Io io;
  io.call = call;
  io.kind = r.stopped ? Io::Kind::stopped : Io::Kind::timeout;
  return io;
}

Io error_io(const char* call, int err) { return {.kind = Io::Kind::error, .err = err, .call = call}; }

std::string name_of(int fd, bool peer) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len)
                : ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return rc == 0 ? endpoint_text(a) : "?";
}

}  // namespace

bool is_ip_literal(const std::string& host) {
  sockaddr_storage a{};
  try {
    to_sockaddr({host, 0}, a);
    return true;
  } catch (const SocketSetupError&) {
    return false;
  }
}

std::string endpoint_text(const sockaddr_storage& a) {
  char buf[INET6_ADDRSTRLEN] = "?";
  if (a.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(a);
    ::inet_ntop(AF_INET, &v4.sin_addr, buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(ntohs(v4.sin_port));
  }
  const auto& v6 = reinterpret_cast<const sockaddr_in6&>(a);
  ::inet_ntop(AF_INET6, &v6.sin6_addr, buf, sizeof buf);
  return "[" + std::string(buf) + "]:" + std::to_string(ntohs(v6.sin6_port));
}

TcpConn::TcpConn(UniqueFd fd, bool nonblocking, StopSignal& stop)
    : fd_(std::move(fd)), nonblocking_(nonblocking), stop_(stop) {
  set_nonblocking(fd_.get(), nonblocking_);
  if (!nonblocking_) {
    timeval tv{0, static_cast<suseconds_t>(std::chrono::microseconds(kSendSlice).count())};
    if (::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) fail("setsockopt(SO_SNDTIMEO)");
  }
}

std::string TcpConn::local() const { return name_of(fd_.get(), false); }
std::string TcpConn::remote() const { return name_of(fd_.get(), true); }

TcpConn::Ready TcpConn::wait(short events, std::optional<Clock::time_point> deadline) {
  return wait_on(fd_.get(), events, stop_, deadline);
}

Io TcpConn::recv_some(std::span<std::uint8_t> buf, std::optional<Clock::time_point> deadline, int flags) {
  for (;;) {
    auto r = wait(POLLIN, deadline);
    if (r.stopped || r.timed_out) return from_wait(r, "recv");
    ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), flags | (nonblocking_ ? MSG_DONTWAIT : 0));
    if (n > 0) return {.bytes = static_cast<std::size_t>(n), .call = "recv"};
    if (n == 0) return {.kind = Io::Kind::eof, .call = "recv"};
    if (errno == EINTR || errno == EAGAIN) continue;
    return error_io("recv", errno);
  }
}

Io TcpConn::send_some(std::span<const std::uint8_t> data, int flags) {
  for (;;) {
    auto r = wait(POLLOUT);
    if (r.stopped) return from_wait(r, "send");
    ssize_t n = ::send(fd_.get(), data.data(), data.size(), flags | MSG_NOSIGNAL);
    if (n >= 0) return {.bytes = static_cast<std::size_t>(n), .call = "send"};
    if (errno == EINTR || errno == EAGAIN) continue;  // EAGAIN: a blocking send's 100 ms slice ran out
    return error_io("send", errno);
  }
}

Io TcpConn::send_all(std::span<const std::uint8_t> data, int flags) {
  std::size_t done = 0;
  while (done < data.size()) {
    Io io = send_some(data.subspan(done), flags);
    if (!io.ok()) {
      io.bytes = done;
      return io;
    }
    done += io.bytes;
  }
  return {.bytes = done, .call = "send"};
}

Io TcpConn::shutdown_write() {
  if (::shutdown(fd_.get(), SHUT_WR) != 0) return error_io("shutdown", errno);
  return {.call = "shutdown"};
}

Io TcpConn::drain_to_eof() {
  std::uint8_t buf[16384];
  for (;;) {
    Io io = recv_some(buf);
    if (!io.ok()) return io;
  }
}

TcpListener::TcpListener(const HostPort& at) {
  sockaddr_storage a{};
  socklen_t len = to_sockaddr(at, a);
  fd_ = UniqueFd(::socket(a.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd_) fail("socket");
  int one = 1;
  // The reconnect workload listens again on the same port while the first connection is in TIME_WAIT.
  if (::setsockopt(fd_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) fail("setsockopt(SO_REUSEADDR)");
  if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&a), len) != 0) fail("bind " + at.host + ":" + std::to_string(at.port));
  if (::listen(fd_.get(), 8) != 0) fail("listen");
}

std::uint16_t TcpListener::port() const {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0) fail("getsockname");
  return a.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in&>(a).sin_port)
                                : ntohs(reinterpret_cast<sockaddr_in6&>(a).sin6_port);
}

std::optional<TcpConn> TcpListener::accept(bool nonblocking, StopSignal& stop, Clock::time_point deadline,
                                           Io& outcome) {
  for (;;) {
    auto r = wait_on(fd_.get(), POLLIN, stop, deadline);
    if (r.stopped || r.timed_out) {
      outcome = from_wait(r, "accept");
      return std::nullopt;
    }
    int fd = ::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) {
      outcome = {.call = "accept"};
      return TcpConn(UniqueFd(fd), nonblocking, stop);
    }
    if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED) continue;
    outcome = error_io("accept", errno);
    return std::nullopt;
  }
}

PendingConnect prepare_connect(const HostPort& to) {
  PendingConnect p;
  p.to_len = to_sockaddr(to, p.to);
  p.fd = UniqueFd(::socket(p.to.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!p.fd) fail("socket");
  sockaddr_storage any{};
  any.ss_family = p.to.ss_family;
  if (::bind(p.fd.get(), reinterpret_cast<sockaddr*>(&any), p.to_len) != 0) fail("bind (port 0)");
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  if (::getsockname(p.fd.get(), reinterpret_cast<sockaddr*>(&local), &len) != 0) fail("getsockname");
  p.local_port = local.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in&>(local).sin_port)
                                            : ntohs(reinterpret_cast<sockaddr_in6&>(local).sin6_port);
  return p;
}

std::optional<TcpConn> finish_connect(PendingConnect p, bool nonblocking, StopSignal& stop,
                                      Clock::time_point deadline, Io& outcome) {
  int fd = p.fd.get();
  if (::connect(fd, reinterpret_cast<sockaddr*>(&p.to), p.to_len) != 0 && errno != EINPROGRESS) {
    outcome = error_io("connect", errno);
    return std::nullopt;
  }
  auto r = wait_on(fd, POLLOUT, stop, deadline);
  if (r.stopped || r.timed_out) {
    outcome = from_wait(r, "connect");
    return std::nullopt;
  }
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) {
    outcome = error_io("connect", err);
    return std::nullopt;
  }
  outcome = {.call = "connect"};
  return TcpConn(std::move(p.fd), nonblocking, stop);
}

}  // namespace wireproof::peers::linux_tcp
