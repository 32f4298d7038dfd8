#include "harness/wire/l3/l3_test_support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <stdexcept>

#include "harness/wire/l3/tool_command.hpp"

namespace wireproof::wire::l3::test {

std::string l3_unavailable() {
  if (::geteuid() != 0) return "L3 tests need root (ip netns add, setns); running as uid " + std::to_string(::geteuid());
  if (::access("/dev/net/tun", R_OK | W_OK) != 0) return "L3 tests need /dev/net/tun, which is missing or not writable";
  return "";
}

PacketPump::PacketPump(int a, int b) : a_(a), b_(b) {
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

namespace {
bool in_range(const std::uint8_t* addr) { return addr[0] == 198 && (addr[1] & 0xfe) == 18; }
}  // namespace

void PacketPump::run() {
  std::array<std::uint8_t, 65536> buf{};
  pollfd fds[3] = {{a_, POLLIN, 0}, {b_, POLLIN, 0}, {stop_read_.get(), POLLIN, 0}};
  while (::poll(fds, 3, -1) >= 0 && !fds[2].revents) {
    for (int side = 0; side < 2; ++side) {
      if (!(fds[side].revents & POLLIN)) continue;
      const ssize_t n = ::read(fds[side].fd, buf.data(), buf.size());
      if (n <= 0) continue;
      const auto len = static_cast<std::size_t>(n);
      if (len > largest) largest = len;
      if (len < 20 || (buf[0] >> 4) != 4 || !in_range(&buf[12]) || !in_range(&buf[16])) ++outside_range;
      if (::write(fds[1 - side].fd, buf.data(), len) == n) ++(side == 0 ? a_to_b : b_to_a);
    }
  }
}

std::string tool_output(const std::string& tool, const std::vector<std::string>& args) { return run_tool(tool, args); }

}  // namespace wireproof::wire::l3::test
