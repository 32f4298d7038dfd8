#include "bench/l3/tcp_load.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "harness/wire/unique_fd.hpp"

namespace wireproof::bench::l3 {
namespace {

using Clock = std::chrono::steady_clock;
using wire::UniqueFd;
using wire::l3::NetNamespace;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what + ": " + std::strerror(errno)); }

// An IPv4 TCP socket made inside `ns` (it keeps that namespace), each call bounded by 10 s.
UniqueFd tcp_socket_in(const NetNamespace& ns) {
  return wire::l3::in_namespace(ns, [] {
    UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) fail("socket");
    timeval tv{10, 0};
    ::setsockopt(s.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ::setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return s;
  });
}

// A listener on server_addr:<ephemeral> in server_ns and a client connected to it.
struct Connection {
  UniqueFd listener, client, server;
};

Connection connect_pair(const NetNamespace& client_ns, const NetNamespace& server_ns, const std::string& server_addr) {
  Connection c;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  if (::inet_pton(AF_INET, server_addr.c_str(), &a.sin_addr) != 1) throw std::invalid_argument("bad address " + server_addr);
  socklen_t len = sizeof a;
  c.listener = tcp_socket_in(server_ns);
  if (::bind(c.listener.get(), reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(c.listener.get(), 1) != 0)
    fail("bind/listen on " + server_addr);
  ::getsockname(c.listener.get(), reinterpret_cast<sockaddr*>(&a), &len);
  c.client = tcp_socket_in(client_ns);
  if (::connect(c.client.get(), reinterpret_cast<sockaddr*>(&a), len) != 0) fail("connect to " + server_addr);
  c.server = UniqueFd(::accept4(c.listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!c.server) fail("accept");
  return c;
}

void send_all(int fd, const std::uint8_t* p, std::size_t n, const char* what) {
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) fail(what);
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

void recv_exact(int fd, std::uint8_t* p, std::size_t n, const char* what) {
  while (n > 0) {
    const ssize_t r = ::recv(fd, p, n, 0);
    if (r == 0) throw std::runtime_error(std::string(what) + ": EOF");
    if (r < 0) fail(what);
    p += r;
    n -= static_cast<std::size_t>(r);
  }
}

}  // namespace

BulkResult one_way_bulk(const NetNamespace& client_ns, const NetNamespace& server_ns, const std::string& server_addr,
                        std::size_t bytes) {
  Connection c = connect_pair(client_ns, server_ns, server_addr);
  BulkResult result;
  Clock::time_point eof_at;
  std::string receive_error;
  const auto start = Clock::now();
  std::thread receiver([&] {
    std::vector<std::uint8_t> buf(256 * 1024);
    for (;;) {
      const ssize_t r = ::recv(c.server.get(), buf.data(), buf.size(), 0);
      if (r > 0) {
        result.bytes += static_cast<std::size_t>(r);
        continue;
      }
      if (r < 0) receive_error = std::string("bulk recv: ") + std::strerror(errno);
      eof_at = Clock::now();
      return;
    }
  });
  const std::vector<std::uint8_t> chunk(1 << 20, 0x5a);
  std::string send_error;
  try {
    for (std::size_t left = bytes; left > 0;) {
      const std::size_t n = std::min(left, chunk.size());
      send_all(c.client.get(), chunk.data(), n, "bulk send");
      left -= n;
    }
    ::shutdown(c.client.get(), SHUT_WR);
  } catch (const std::exception& e) {
    send_error = e.what();
    ::shutdown(c.server.get(), SHUT_RDWR);  // ends the receiver at once
  }
  receiver.join();
  if (!send_error.empty()) throw std::runtime_error(send_error);
  if (!receive_error.empty()) throw std::runtime_error(receive_error);
  if (result.bytes != bytes)
    throw std::runtime_error("bulk: " + std::to_string(result.bytes) + " of " + std::to_string(bytes) + " bytes arrived");
  result.seconds = std::chrono::duration<double>(eof_at - start).count();
  return result;
}

std::vector<double> ping_pong(const NetNamespace& client_ns, const NetNamespace& server_ns,
                              const std::string& server_addr, int count, std::size_t message_bytes, int budget_ms) {
  Connection c = connect_pair(client_ns, server_ns, server_addr);
  const int one = 1;
  for (int fd : {c.client.get(), c.server.get()}) ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::thread echo([&] {
    std::vector<std::uint8_t> buf(message_bytes);
    try {
      for (;;) {
        recv_exact(c.server.get(), buf.data(), buf.size(), "echo recv");
        send_all(c.server.get(), buf.data(), buf.size(), "echo send");
      }
    } catch (const std::exception&) {  // the client's close ends the echo
    }
  });
  std::vector<std::uint8_t> out(message_bytes, 0x17), in(message_bytes);
  std::vector<double> rtts;
  std::string error;
  const auto end = Clock::now() + std::chrono::milliseconds(budget_ms);
  try {
    for (int k = 0; k < count && Clock::now() < end; ++k) {
      const auto t0 = Clock::now();
      send_all(c.client.get(), out.data(), out.size(), "ping send");
      recv_exact(c.client.get(), in.data(), in.size(), "ping recv");
      rtts.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
  } catch (const std::exception& e) {
    error = e.what();
  }
  ::shutdown(c.client.get(), SHUT_RDWR);
  ::shutdown(c.server.get(), SHUT_RDWR);
  echo.join();
  if (!error.empty()) throw std::runtime_error(error);
  return rtts;
}

}  // namespace wireproof::bench::l3
