// pick_free_port binds the server's own listen host: on the L3 wire a stock
// server runs in a namespace whose only address is 198.18.0.2, with no
// 127.0.0.1 to bind.
#include "peers/stock/proc_sockets.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "peers/stock/unique_fd.hpp"

namespace wireproof::stock {
namespace {

// Whether HOST:PORT can be bound now (the port picked was free there).
bool bindable(const std::string& host, std::uint16_t port) {
  sockaddr_in6 v6{};
  sockaddr_in v4{};
  const bool is_v6 = host.find(':') != std::string::npos;
  UniqueFd fd(::socket(is_v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (is_v6) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    ::inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr);
    return ::bind(fd.get(), reinterpret_cast<sockaddr*>(&v6), sizeof v6) == 0;
  }
  v4.sin_family = AF_INET;
  v4.sin_port = htons(port);
  ::inet_pton(AF_INET, host.c_str(), &v4.sin_addr);
  return ::bind(fd.get(), reinterpret_cast<sockaddr*>(&v4), sizeof v4) == 0;
}

TEST(PickFreePort, PicksAPortOnTheListenHost) {
  for (const std::string host : {"127.0.0.1", "::1"}) {
    const auto port = pick_free_port(Transport::tcp, host);
    EXPECT_GT(port, 0) << host;
    EXPECT_TRUE(bindable(host, port)) << host << ":" << port;
  }
  EXPECT_THROW(pick_free_port(Transport::udp, "no-such-host.invalid"), std::runtime_error);
}

// A child in a network namespace of its own (lo down, so no 127.0.0.1) whose
// loopback device holds 198.18.0.9 only, as an L3 run's peer namespace holds 198.18.0.2.
TEST(PickFreePort, WorksInANamespaceWithoutLoopback) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a network namespace";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::unshare(CLONE_NEWNET) != 0) ::_exit(10);
    UniqueFd ctl(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ifreq req{};
    std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
    auto* addr = reinterpret_cast<sockaddr_in*>(&req.ifr_addr);
    addr->sin_family = AF_INET;
    ::inet_pton(AF_INET, "198.18.0.9", &addr->sin_addr);
    if (::ioctl(ctl.get(), SIOCSIFADDR, &req) != 0) ::_exit(11);
    if (bindable("127.0.0.1", 0)) ::_exit(12);  // the namespace must lack it, or this proves nothing
    try {
      for (Transport t : {Transport::tcp, Transport::udp})
        if (pick_free_port(t, "198.18.0.9") == 0) ::_exit(13);
    } catch (const std::exception&) {
      ::_exit(14);
    }
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  // 10-12: the namespace could not be set up; 13, 14: pick_free_port failed there.
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace wireproof::stock
