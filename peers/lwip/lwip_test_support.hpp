// For the lwIP peer's tests: a packet port (SOCK_SEQPACKET socketpair: the
// test keeps the wire end, the peer inherits the other), and the argv of a
// wireproof-lwip process.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "harness/wire/unique_fd.hpp"
#include "peers/common/echo_chunks.hpp"
#include "peers/common/test_peer.hpp"

namespace wireproof::peers::lwip::test {

struct PacketPort {
  wire::UniqueFd wire;  // close-on-exec: stays in the test
  wire::UniqueFd peer;  // inherited by the next child; reset() once it has started
  PacketPort() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0) throw std::runtime_error("socketpair");
    ::fcntl(sv[0], F_SETFD, FD_CLOEXEC);
    wire = wire::UniqueFd(sv[0]);
    peer = wire::UniqueFd(sv[1]);
  }
};

// The echo workload's byte stream for plan: every record back to back.
inline std::vector<std::uint8_t> plan_stream(const ChunkPlan& plan) {
  std::vector<std::uint8_t> s;
  for (std::uint64_t i = 0; i < plan.count(); ++i) {
    auto r = make_chunk(i, plan.pattern_bytes(i));
    s.insert(s.end(), r.begin(), r.end());
  }
  return s;
}

inline std::vector<std::string> lwip_argv(const std::string& role, const std::string& local, const std::string& endpoint,
                                          int packet_fd, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv{WP_PEER_LWIP, "--role", role, "--protocol", "tcp",
                                role == "server" ? "--listen" : "--connect", endpoint,
                                "--local-address", local, "--packet-fd", std::to_string(packet_fd)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

inline std::filesystem::path test_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::temp_directory_path() / "wp_lwip_test" /
             (std::string(info->test_suite_name()) + "." + info->name());
  std::filesystem::create_directories(dir);
  return dir;
}

// wireproof-lwip on `port` (which gives up its peer end to it): the server on
// 198.18.0.2 (2001:db8::2) port 5000, its ready event read; the client on .1
// (::1) connecting to it, at `connect_port`. stderr goes to the test's dir.
inline std::unique_ptr<peers::testing::TestPeer> start_lwip(const std::string& role, PacketPort& port,
                                                            const std::vector<std::string>& extra, bool ipv6 = false,
                                                            int connect_port = 5000) {
  const std::string server = ipv6 ? "2001:db8::2" : "198.18.0.2";
  const std::string local = role == "server" ? server : ipv6 ? "2001:db8::1" : "198.18.0.1";
  const std::string endpoint = (ipv6 ? "[" + server + "]" : server) + ":" +
                               std::to_string(role == "server" ? 5000 : connect_port);
  auto peer = std::make_unique<peers::testing::TestPeer>(lwip_argv(role, local, endpoint, port.peer.get(), extra),
                                                         test_dir() / (role + ".err"));
  port.peer.reset();
  if (role == "server") {
    const auto ready = peer->next_event();
    EXPECT_EQ(ready.value("event", ""), "ready") << peer->transcript();
    EXPECT_EQ(ready.value("port", 0), 5000);
  }
  return peer;
}

// A copy loop between two packet fds that asks `forward` about every packet
// (a stand-in for the wire's impairments in these tests) and keeps a log of
// what passed by, with the time it was read.
class ScriptedPump {
 public:
  using Clock = std::chrono::steady_clock;
  using Filter = std::function<bool(bool from_a, std::span<const std::uint8_t> packet)>;
  struct Seen {
    bool from_a;
    Clock::time_point at;
    std::vector<std::uint8_t> packet;
    bool forwarded;
  };

  ScriptedPump(int a, int b, Filter forward) : a_(a), b_(b), forward_(std::move(forward)) {
    int p[2];
    if (::pipe(p) != 0) throw std::runtime_error("pipe");
    stop_read_ = wire::UniqueFd(p[0]);
    stop_write_ = wire::UniqueFd(p[1]);
    thread_ = std::thread([this] { run(); });
  }
  ~ScriptedPump() {
    stop_write_.reset();
    thread_.join();
  }
  ScriptedPump(const ScriptedPump&) = delete;
  ScriptedPump& operator=(const ScriptedPump&) = delete;

  std::vector<Seen> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  void run() {
    std::array<std::uint8_t, 65536> buf{};
    pollfd fds[3] = {{a_, POLLIN, 0}, {b_, POLLIN, 0}, {stop_read_.get(), POLLIN, 0}};
    while (::poll(fds, 3, -1) >= 0 && !fds[2].revents) {
      for (int side = 0; side < 2; ++side) {
        if (fds[side].revents & (POLLHUP | POLLERR)) fds[side].fd = -1;  // that peer exited: stop polling it
        if (!(fds[side].revents & POLLIN)) continue;
        const ssize_t n = ::read(fds[side].fd, buf.data(), buf.size());
        if (n <= 0) continue;
        std::span<const std::uint8_t> packet(buf.data(), static_cast<std::size_t>(n));
        const bool pass = forward_(side == 0, packet);
        if (pass && fds[1 - side].fd >= 0 && ::write(fds[1 - side].fd, buf.data(), packet.size()) != n) {
        }  // the other side is gone: the packet is lost, as on a dead link
        std::lock_guard lock(mutex_);
        seen_.push_back({side == 0, Clock::now(), {packet.begin(), packet.end()}, pass});
      }
    }
  }

  int a_, b_;
  Filter forward_;
  wire::UniqueFd stop_read_, stop_write_;
  mutable std::mutex mutex_;
  std::vector<Seen> seen_;
  std::thread thread_;
};

// IPv4 TCP flags of a packet (0 if it is not IPv4 TCP).
inline std::uint8_t ipv4_tcp_flags(std::span<const std::uint8_t> p) {
  if (p.size() < 20 || (p[0] >> 4) != 4 || p[9] != 6) return 0;
  const std::size_t ihl = (p[0] & 0x0f) * 4u;
  return p.size() > ihl + 13 ? p[ihl + 13] : 0;
}
inline constexpr std::uint8_t kSyn = 0x02, kAck = 0x10, kRst = 0x04;

}  // namespace wireproof::peers::lwip::test
