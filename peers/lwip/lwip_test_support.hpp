// For the lwIP peer's tests: a packet port (SOCK_SEQPACKET socketpair: the
// test keeps the wire end, the peer inherits the other), and the argv of a
// wireproof-lwip process.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/wire/unique_fd.hpp"

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

}  // namespace wireproof::peers::lwip::test
