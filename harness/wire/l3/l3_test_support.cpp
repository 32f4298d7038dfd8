#include "harness/wire/l3/l3_test_support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <random>
#include <stdexcept>

#include "harness/wire/l3/tool_command.hpp"

namespace wireproof::wire::l3::test {

std::string l3_unavailable() {
  if (::geteuid() != 0) return "L3 tests need root (ip netns add, setns); running as uid " + std::to_string(::geteuid());
  if (::access("/dev/net/tun", R_OK | W_OK) != 0) return "L3 tests need /dev/net/tun, which is missing or not writable";
  return "";
}

namespace {

void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) throw std::runtime_error("PacketPump: fcntl(O_NONBLOCK)");
}

// A whole packet out, waiting while the fd's buffer is full (a socketpair end can be).
bool write_packet(int fd, const std::uint8_t* p, std::size_t n) {
  for (;;) {
    const ssize_t w = ::write(fd, p, n);
    if (w >= 0) return static_cast<std::size_t>(w) == n;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
    pollfd out{fd, POLLOUT, 0};
    if (::poll(&out, 1, 1000) <= 0) return false;
  }
}

bool in_range(const std::uint8_t* addr) { return addr[0] == 198 && (addr[1] & 0xfe) == 18; }

}  // namespace

PacketPump::PacketPump(int a, int b) : a_(a), b_(b) {
  set_nonblocking(a_);
  set_nonblocking(b_);
  int p[2];
  // CLOEXEC: a peer process spawned while the pump runs must not hold the
  // write end, or closing it here would never end the loop.
  if (::pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
  stop_read_ = UniqueFd(p[0]);
  stop_write_ = UniqueFd(p[1]);
  thread_ = std::thread([this] { run(); });
}

PacketPump::~PacketPump() {
  stop_write_.reset();  // EOF on the stop pipe ends the loop
  thread_.join();
}

double PacketPump::thread_cpu_s() {
  clockid_t clock{};
  timespec cpu{};
  if (::pthread_getcpuclockid(thread_.native_handle(), &clock) != 0 ||
      ::clock_gettime(clock, &cpu) != 0)
    return 0;
  return static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) / 1e9;
}

void PacketPump::run() {
  std::array<std::uint8_t, 65536> buf{};
  pollfd fds[3] = {{a_, POLLIN, 0}, {b_, POLLIN, 0}, {stop_read_.get(), POLLIN, 0}};
  while (::poll(fds, 3, -1) >= 0 && !fds[2].revents) {
    for (int side = 0; side < 2; ++side) {
      if (!(fds[side].revents & POLLIN)) continue;
      for (;;) {  // until EAGAIN (or the peer end of a socketpair closed)
        const ssize_t n = ::read(fds[side].fd, buf.data(), buf.size());
        if (n <= 0) break;
        const auto len = static_cast<std::size_t>(n);
        if (len > largest) largest = len;
        if (len < 20 || (buf[0] >> 4) != 4 || !in_range(&buf[12]) || !in_range(&buf[16])) ++outside_range;
        if (write_packet(fds[1 - side].fd, buf.data(), len)) ++(side == 0 ? a_to_b : b_to_a);
      }
    }
  }
}

namespace {

// IPv4 or IPv6 by the text's shape; port 0 = ephemeral.
sockaddr_storage socket_address(const std::string& ip, std::uint16_t port, socklen_t& len) {
  sockaddr_storage ss{};
  if (ip.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    if (::inet_pton(AF_INET6, ip.c_str(), &a->sin6_addr) != 1) throw std::invalid_argument("bad address " + ip);
    len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    if (::inet_pton(AF_INET, ip.c_str(), &a->sin_addr) != 1) throw std::invalid_argument("bad address " + ip);
    len = sizeof(sockaddr_in);
  }
  return ss;
}

}  // namespace

UniqueFd tcp_socket_in(const NetNamespace& ns, int family) {
  return in_namespace(ns, [family] {
    UniqueFd s(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    // Bounds connect() and each read/write: a broken wire fails the test in 10 s, not minutes.
    timeval tv{10, 0};
    ::setsockopt(s.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ::setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return s;
  });
}

bool write_all(int fd, const std::uint8_t* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}


TcpEcho::TcpEcho(const NetNamespace& client_ns, const NetNamespace& server_ns, const std::string& server_addr,
                 std::size_t bytes)
    : sent_(bytes) {
  std::mt19937 rng(9);  // fixed seed: the same bytes every run
  for (auto& b : sent_) b = static_cast<std::uint8_t>(rng());
  socklen_t len = 0;
  auto bind_to = socket_address(server_addr, 0, len);
  const int family = bind_to.ss_family;
  listener_ = tcp_socket_in(server_ns, family);
  if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&bind_to), len) != 0 || ::listen(listener_.get(), 1) != 0)
    throw std::runtime_error("bind/listen on " + server_addr + ": " + std::strerror(errno));
  ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&bind_to), &len);
  client_ = tcp_socket_in(client_ns, family);

  server_thread_ = std::thread([this] {
    UniqueFd conn(::accept(listener_.get(), nullptr, nullptr));
    conn_fd_ = conn.get();
    std::uint8_t buf[4096];
    for (ssize_t n; conn && (n = ::recv(conn.get(), buf, sizeof buf, 0)) > 0;)
      if (!write_all(conn.get(), buf, static_cast<std::size_t>(n))) break;
    conn_fd_ = -1;
  });
  client_thread_ = std::thread([this, bind_to, len] {
    if (::connect(client_.get(), reinterpret_cast<const sockaddr*>(&bind_to), len) != 0) {
      error_ = std::string("connect: ") + std::strerror(errno);
      ::shutdown(listener_.get(), SHUT_RDWR);  // unblock accept
      finished_ = true;
      return;
    }
    // Write in a thread while reading here, so neither side's buffers can stall the echo.
    std::thread writer([this] {
      if (write_all(client_.get(), sent_.data(), sent_.size())) ::shutdown(client_.get(), SHUT_WR);
    });
    std::uint8_t buf[4096];
    ssize_t n = 0;
    while (received_.size() < sent_.size() && (n = ::recv(client_.get(), buf, sizeof buf, 0)) > 0)
      received_.insert(received_.end(), buf, buf + n);
    if (n < 0) error_ = std::string("recv: ") + std::strerror(errno);
    ::shutdown(client_.get(), SHUT_RDWR);  // the writer stops too, if it has not finished
    writer.join();
    finished_ = true;
  });
}

void TcpEcho::abort() {
  ::shutdown(client_.get(), SHUT_RDWR);
  ::shutdown(listener_.get(), SHUT_RDWR);
  if (const int c = conn_fd_; c >= 0) ::shutdown(c, SHUT_RDWR);
}

void TcpEcho::join() {
  if (client_thread_.joinable()) client_thread_.join();
  abort();  // the server may still wait for a FIN the wire no longer carries
  if (server_thread_.joinable()) server_thread_.join();
}

TcpEcho::~TcpEcho() {
  if (!finished_) abort();
  join();
}

std::string tool_output(const std::string& tool, const std::vector<std::string>& args) { return run_tool(tool, args); }

}  // namespace wireproof::wire::l3::test
