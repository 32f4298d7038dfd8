// PacketPump, bench/l3's baseline: on non-blocking fds (it reads a side until
// EAGAIN, as L3Relay does), a write the receiver's buffer cannot take yet must
// wait, not drop the packet. Socketpairs only: no root needed.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "harness/wire/l3/l3_test_support.hpp"
#include "harness/wire/unique_fd.hpp"

namespace wireproof::wire::l3 {
namespace {

struct SeqpacketPair {
  UniqueFd a, b;
  SeqpacketPair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) throw std::runtime_error("socketpair");
    a = UniqueFd(fds[0]);
    b = UniqueFd(fds[1]);
  }
};

// 400 packets through a receiver that reads nothing for 200 ms, its socket
// buffer a few packets deep: the pump's writes meet EAGAIN many times, and
// every packet still arrives, in order.
TEST(PacketPump, AFullReceiverMakesItWaitNotDrop) {
  SeqpacketPair in, out;  // the test writes in.a; the pump moves in.b -> out.a; the test reads out.b
  const int small = 4096;
  ASSERT_EQ(::setsockopt(out.a.get(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
  constexpr int kPackets = 400;
  constexpr std::size_t kBytes = 1000;
  test::PacketPump pump(in.b.get(), out.a.get());
  std::thread sender([&] {
    std::vector<std::uint8_t> p(kBytes, 0);
    for (int k = 0; k < kPackets; ++k) {
      p[0] = static_cast<std::uint8_t>(k);
      p[1] = static_cast<std::uint8_t>(k >> 8);
      if (::write(in.a.get(), p.data(), p.size()) != static_cast<ssize_t>(p.size())) return;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  int received = 0;
  std::array<std::uint8_t, 2048> buf{};
  while (received < kPackets) {
    pollfd in_ready{out.b.get(), POLLIN, 0};
    if (::poll(&in_ready, 1, 2000) <= 0) break;
    const ssize_t n = ::read(out.b.get(), buf.data(), buf.size());
    ASSERT_EQ(n, static_cast<ssize_t>(kBytes));
    ASSERT_EQ(buf[0] | buf[1] << 8, received) << "out of order";
    ++received;
  }
  sender.join();
  EXPECT_EQ(received, kPackets);
  // The pump counts a packet after its write returns, so the last count may trail the read a little.
  for (int k = 0; k < 100 && pump.a_to_b.load() < static_cast<std::size_t>(kPackets); ++k)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(pump.a_to_b.load(), static_cast<std::size_t>(kPackets));
}

}  // namespace
}  // namespace wireproof::wire::l3
