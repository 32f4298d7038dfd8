// Shared by the L3 tests: the skip rule, and a bare TUN-to-TUN copy loop standing in
// for the wire (the real wire will put the Link pipeline in its place).
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <vector>
#include <thread>

#include <gtest/gtest.h>

#include "harness/wire/unique_fd.hpp"

namespace wireproof::wire::l3::test {

// Why L3 tests cannot run here (not root, no /dev/net/tun), or "" when they can.
std::string l3_unavailable();

#define WP_SKIP_WITHOUT_L3()                                                                \
  do {                                                                                      \
    if (auto why = ::wireproof::wire::l3::test::l3_unavailable(); !why.empty()) GTEST_SKIP() << why; \
  } while (0)

// Copies every packet read from one fd to the other until destroyed, and checks each
// one on the way: IPv4, both addresses inside 198.18.0.0/15, size within the MTU.
class PacketPump {
 public:
  PacketPump(int a, int b);
  ~PacketPump();
  PacketPump(const PacketPump&) = delete;
  PacketPump& operator=(const PacketPump&) = delete;

  std::atomic<std::size_t> a_to_b{0}, b_to_a{0};
  std::atomic<std::size_t> largest{0};       // bytes of the largest packet seen
  std::atomic<std::size_t> outside_range{0};  // packets not IPv4 198.18.0.0/15 <-> same

 private:
  void run();
  int a_, b_;
  UniqueFd stop_read_, stop_write_;
  std::thread thread_;
};

// `ip`/`tc` output, for assertions about what the kernel really configured.
std::string tool_output(const std::string& tool, const std::vector<std::string>& args);

}  // namespace wireproof::wire::l3::test
