// Kernel TCP from namespace A to namespace B, through two TUN fds and a bare copy
// loop in this process (no Link): the topology the L3 wire drives (l3_wire_test).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "harness/wire/l3/l3_test_support.hpp"
#include "harness/wire/l3/tun_device.hpp"

namespace wireproof::wire::l3 {
namespace {

constexpr int kMtu = 1500;

TEST(L3Topology, KernelTcpEchoes64KiBAcrossTwoNamespaces) {
  WP_SKIP_WITHOUT_L3();
  NetNamespace ns_a, ns_b;
  TunDevice tun_a(ns_a, {"198.18.0.1", "198.18.0.2", kMtu});
  TunDevice tun_b(ns_b, {"198.18.0.2", "198.18.0.1", kMtu});
  test::PacketPump pump(tun_a.fd(), tun_b.fd());

  test::TcpEcho echo(ns_a, ns_b, "198.18.0.2", 64 * 1024);
  while (!echo.finished()) std::this_thread::sleep_for(std::chrono::milliseconds(5));  // bounded by the 10 s socket timeouts
  echo.join();
  ASSERT_EQ(echo.error(), "");
  ASSERT_EQ(echo.received().size(), echo.sent().size());
  EXPECT_TRUE(echo.received() == echo.sent()) << "echoed bytes differ";
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
