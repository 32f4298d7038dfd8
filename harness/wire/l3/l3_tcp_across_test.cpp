// Kernel TCP from namespace A to namespace B, through two TUN fds and a copy loop in
// this process: the topology the L3 wire will drive.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include "harness/wire/l3/l3_test_support.hpp"
#include "harness/wire/l3/tun_device.hpp"

namespace wireproof::wire::l3 {
namespace {

constexpr int kMtu = 1500;

UniqueFd tcp_socket_in(const NetNamespace& ns) {
  return in_namespace(ns, [] {
    UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) throw std::runtime_error("socket");
    // Bounds connect() and each read/write: a broken pump fails the test in 10 s, not minutes.
    timeval tv{10, 0};
    ::setsockopt(s.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ::setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return s;
  });
}

sockaddr_in address(const char* ip, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
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

TEST(L3Topology, KernelTcpEchoes64KiBAcrossTwoNamespaces) {
  WP_SKIP_WITHOUT_L3();
  NetNamespace ns_a, ns_b;
  TunDevice tun_a(ns_a, {"198.18.0.1", "198.18.0.2", kMtu});
  TunDevice tun_b(ns_b, {"198.18.0.2", "198.18.0.1", kMtu});
  test::PacketPump pump(tun_a.fd(), tun_b.fd());

  UniqueFd listener = tcp_socket_in(ns_b);
  auto bind_to = address("198.18.0.2", 0);
  ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&bind_to), sizeof bind_to), 0) << errno;
  ASSERT_EQ(::listen(listener.get(), 1), 0);
  socklen_t len = sizeof bind_to;
  ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&bind_to), &len);

  std::thread echo([&] {
    UniqueFd conn(::accept(listener.get(), nullptr, nullptr));
    std::uint8_t buf[4096];
    for (ssize_t n; conn && (n = ::recv(conn.get(), buf, sizeof buf, 0)) > 0;)
      if (!write_all(conn.get(), buf, static_cast<std::size_t>(n))) break;
  });

  std::vector<std::uint8_t> sent(64 * 1024);
  std::mt19937 rng(9);  // fixed seed: the same bytes every run
  for (auto& b : sent) b = static_cast<std::uint8_t>(rng());

  UniqueFd client = tcp_socket_in(ns_a);
  auto server = address("198.18.0.2", ntohs(bind_to.sin_port));
  const int rc = ::connect(client.get(), reinterpret_cast<sockaddr*>(&server), sizeof server);
  const int connect_errno = errno;
  if (rc != 0) {
    ::shutdown(listener.get(), SHUT_RDWR);  // unblock accept
    echo.join();
    FAIL() << "connect from " << ns_a.name() << " to 198.18.0.2 failed: errno " << connect_errno;
  }
  // Write in a thread while reading here, so neither side's buffers can stall the echo.
  std::thread writer([&] {
    write_all(client.get(), sent.data(), sent.size());
    ::shutdown(client.get(), SHUT_WR);
  });
  std::vector<std::uint8_t> received;
  std::uint8_t buf[4096];
  for (ssize_t n; (n = ::recv(client.get(), buf, sizeof buf, 0)) > 0;) received.insert(received.end(), buf, buf + n);
  writer.join();
  echo.join();

  ASSERT_EQ(received.size(), sent.size());
  EXPECT_TRUE(received == sent) << "echoed bytes differ";
  // The bytes really went through our fds, in both directions, as plain IP packets.
  EXPECT_GT(pump.a_to_b.load(), 64u * 1024 / kMtu);
  EXPECT_GT(pump.b_to_a.load(), 64u * 1024 / kMtu);
  EXPECT_EQ(pump.outside_range.load(), 0u) << "a packet outside 198.18.0.0/15 reached the wire";
  // Offloads off: no GSO super-packet larger than the MTU reaches the fd.
  EXPECT_LE(pump.largest.load(), static_cast<std::size_t>(kMtu));
  EXPECT_EQ(pump.largest.load(), static_cast<std::size_t>(kMtu)) << "full-sized segments expected for 64 KiB";
}

}  // namespace
}  // namespace wireproof::wire::l3
