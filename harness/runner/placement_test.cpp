// A peer on the L3 wire runs inside its side's namespace and, for a
// user-space stack, holds its packet port as fd 3 (child_setup.hpp).
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/runner/peer_process.hpp"
#include "harness/wire/l3/l3_test_support.hpp"
#include "harness/wire/l3/net_namespace.hpp"

using namespace wireproof::runner;
namespace l3 = wireproof::wire::l3;

namespace {

std::string wait_for_output(PeerProcess& p, const std::string& stdout_copy) {
  for (int k = 0; k < 500 && p.running(); ++k) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  p.read_lines();
  std::ifstream in(stdout_copy);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string inode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "stat failed: " + path;
  return std::to_string(st.st_ino);
}

}  // namespace

TEST(Placement, APeerRunsInsideItsNamespace) {
  WP_SKIP_WITHOUT_L3();
  l3::NetNamespace ns;
  const std::string out = ::testing::TempDir() + "placement_ns.stdout";
  PeerProcess p({"/usr/bin/stat", "-L", "-c", "%i", "/proc/self/ns/net"}, out, "/dev/null", {ns.path(), -1, ""});
  const std::string inode = wait_for_output(p, out);
  EXPECT_EQ(p.exit_code(), 0);
  EXPECT_EQ(inode, inode_of(ns.path()) + "\n");
  EXPECT_NE(inode, inode_of("/proc/self/ns/net") + "\n");  // not the harness's own network
}

TEST(Placement, WithoutANamespaceThePeerSharesTheHarnessNetwork) {
  const std::string out = ::testing::TempDir() + "placement_none.stdout";
  PeerProcess p({"/usr/bin/stat", "-L", "-c", "%i", "/proc/self/ns/net"}, out, "/dev/null");
  EXPECT_EQ(wait_for_output(p, out), inode_of("/proc/self/ns/net") + "\n");
}

TEST(Placement, APacketPortIsInheritedAsFd3AndNothingElseLeaks) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  int extra[2];
  ASSERT_EQ(::pipe(extra), 0);  // not CLOEXEC: ChildSetup must still keep it out
  const std::string out = ::testing::TempDir() + "placement_fd.stdout";
  // Writes one packet on fd 3, then lists its open descriptors.
  PeerProcess p({"/bin/sh", "-c", "printf packet >&3; ls /proc/self/fd"}, out, "/dev/null", {"", sv[1], ""});
  const std::string listing = wait_for_output(p, out);
  char buf[64] = {};
  ASSERT_EQ(::recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), 6);
  EXPECT_STREQ(buf, "packet");
  // ls's own fds: 0 1 2, 3 (the port) and the directory it reads; never the pipe.
  EXPECT_NE(listing.find("3\n"), std::string::npos) << listing;
  EXPECT_EQ(listing.find(std::to_string(extra[0]) + "\n"), std::string::npos) << listing;
  for (int fd : {sv[0], sv[1], extra[0], extra[1]}) ::close(fd);
}

TEST(Placement, AMissingNamespaceIsAClearError) {
  try {
    PeerProcess p({"/bin/true"}, "/dev/null", "/dev/null", {"/run/netns/wp-does-not-exist", -1, ""});
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/run/netns/wp-does-not-exist"), std::string::npos) << e.what();
  }
}
