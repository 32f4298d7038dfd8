// The L3 wire without root: the refusal message for each cause (pure), and, as
// root, real runs of a forked child that drops to a throwaway uid first: it
// enters a user namespace and builds a topology there; it is refused when the
// enclosing user namespace allows none; a TUN node it may not open is named.
#include "harness/wire/l3/user_namespace.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "harness/wire/l3/l3_topology.hpp"

namespace wireproof::wire::l3 {
namespace {

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << part << "' not in: " << text;
}

UserNamespaceFacts unshare_failed(int error) {
  UserNamespaceFacts f;
  f.step = "unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET)";
  f.error = error;
  f.euid = 1000;
  f.max_user_namespaces = "15000";
  f.seccomp = "0";
  return f;
}

TEST(UserNamespaceRefusal, MaxUserNamespacesZeroIsNamedWithTheSysctlToChange) {
  auto f = unshare_failed(ENOSPC);
  f.max_user_namespaces = "0";
  const auto m = user_namespace_refusal(f);
  EXPECT_TRUE(Contains(m, "uid 1000 (not root)"));
  EXPECT_TRUE(Contains(m, "unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) failed: ENOSPC"));
  EXPECT_TRUE(Contains(m, "user.max_user_namespaces = 0"));
  EXPECT_TRUE(Contains(m, "sysctl -w user.max_user_namespaces=15000"));
}

TEST(UserNamespaceRefusal, ALimitReachedAboveZeroSaysSoWithTheValue) {
  const auto m = user_namespace_refusal(unshare_failed(ENOSPC));
  EXPECT_TRUE(Contains(m, "limit on user namespaces is reached (user.max_user_namespaces = 15000"));
  EXPECT_TRUE(Contains(m, "sysctl -w user.max_user_namespaces="));
}

TEST(UserNamespaceRefusal, DebiansSwitchIsNamed) {
  auto f = unshare_failed(EPERM);
  f.unprivileged_userns_clone = "0";
  f.seccomp = "2";  // the sysctl is the more specific cause: named first
  const auto m = user_namespace_refusal(f);
  EXPECT_TRUE(Contains(m, "failed: EPERM"));
  EXPECT_TRUE(Contains(m, "kernel.unprivileged_userns_clone = 0"));
  EXPECT_TRUE(Contains(m, "sysctl -w kernel.unprivileged_userns_clone=1"));
}

TEST(UserNamespaceRefusal, UbuntusAppArmorRestrictionIsNamed) {
  auto f = unshare_failed(EPERM);
  f.step = "mount tmpfs on /run/netns";
  f.unprivileged_userns_clone = "1";
  f.apparmor_restrict = "1";
  const auto m = user_namespace_refusal(f);
  EXPECT_TRUE(Contains(m, "mount tmpfs on /run/netns failed: EPERM"));
  EXPECT_TRUE(Contains(m, "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"));
}

TEST(UserNamespaceRefusal, ASeccompFilterIsNamed) {
  auto f = unshare_failed(EPERM);
  f.seccomp = "2";
  EXPECT_TRUE(Contains(user_namespace_refusal(f), "a seccomp filter is active (Seccomp: 2"));
}

TEST(UserNamespaceRefusal, AnEpermWithNoKnownSwitchSaysWhatWasLookedAt) {
  const auto m = user_namespace_refusal(unshare_failed(EPERM));
  EXPECT_TRUE(Contains(m, "none of the known switches is set (user.max_user_namespaces = 15000"));
}

TEST(UserNamespaceRefusal, AMultiThreadedCallerIsAHarnessBug) {
  auto f = unshare_failed(EINVAL);
  f.threads = 3;
  EXPECT_TRUE(Contains(user_namespace_refusal(f), "already has 3 threads"));
}

TEST(PrivilegeMode, OnlyTheInitialIdentityMapIsRoot) {
  EXPECT_TRUE(is_initial_uid_map("         0          0 4294967295\n"));
  EXPECT_FALSE(is_initial_uid_map("         0       1000          1\n"));
  EXPECT_FALSE(is_initial_uid_map("         0     100000      65536\n"));
  EXPECT_FALSE(is_initial_uid_map("0 0 4294967295\n1 1 1\n"));
  EXPECT_FALSE(is_initial_uid_map(""));
}

// ---- real runs: a child process as root sets up, drops to a throwaway uid, runs body ----

constexpr unsigned kThrowawayUid = 4'100'000;  // no account; only this test's children use it

std::string l3_tools_missing() {
  if (::geteuid() != 0) return "needs root (to become a throwaway uid)";
  if (!std::filesystem::exists("/dev/net/tun")) return "no /dev/net/tun";
  return "";
}

// Runs setup (as root) then body (as kThrowawayUid) in a forked child; returns
// what failed ("" = nothing). The child's namespaces die with it.
std::string in_child(const std::function<std::string()>& setup, const std::function<std::string()>& body) {
  int p[2];
  if (::pipe(p) != 0) return "pipe failed";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(p[0]);
    std::string what = setup();
    if (what.empty() && (::setgroups(0, nullptr) != 0 || ::setresgid(kThrowawayUid, kThrowawayUid, kThrowawayUid) != 0 ||
                         ::setresuid(kThrowawayUid, kThrowawayUid, kThrowawayUid) != 0))
      what = "cannot drop to the throwaway uid";
    // A credential change makes the process non-dumpable, and /proc/self/* root's:
    // a process exec'd as the user (as wireproof is) is dumpable.
    if (what.empty() && ::prctl(PR_SET_DUMPABLE, 1) != 0) what = "PR_SET_DUMPABLE";
    if (what.empty()) {
      try {
        what = body();
      } catch (const std::exception& e) {
        what = std::string("threw: ") + e.what();
      }
    }
    [[maybe_unused]] auto n = ::write(p[1], what.data(), what.size());
    ::_exit(0);
  }
  ::close(p[1]);
  std::string what;
  char buf[4096];
  for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;) what.append(buf, static_cast<std::size_t>(n));
  ::close(p[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) what += fmt::format(" (child status {})", status);
  return what;
}

// In a private mount namespace (the child's only), /dev/net/tun is a fresh node
// with `mode`: the test controls what a user namespace may open, whatever the host has.
std::function<std::string()> tun_node_with_mode(mode_t mode, const std::string& dir) {
  return [mode, dir] {
    if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      return std::string("private mount namespace: ") + std::strerror(errno);
    const std::string node = dir + "/tun";
    if (::mkdir(dir.c_str(), 0700) != 0 || ::mount("wp-test", dir.c_str(), "tmpfs", 0, "mode=0700") != 0 ||
        ::mknod(node.c_str(), S_IFCHR | mode, makedev(10, 200)) != 0 || ::chmod(node.c_str(), mode) != 0 ||
        ::mount(node.c_str(), "/dev/net/tun", nullptr, MS_BIND, nullptr) != 0)
      return std::string("tun node: ") + std::strerror(errno);
    return std::string();
  };
}

L3Config sides(Device client, Device server, std::vector<std::pair<std::string, std::string>> client_sysctls = {}) {
  L3Config c;
  c.client.device = client;
  c.client.sysctls = std::move(client_sysctls);
  c.server.device = server;
  return c;
}

std::string test_dir(const char* what) { return fmt::format("/tmp/wp-userns-test-{}-{}", ::getpid(), what); }

TEST(UserNamespaceEntry, AThrowawayUserBuildsATunTopologyAsRootOfItsOwnNamespaces) {
  if (auto why = l3_tools_missing(); !why.empty()) GTEST_SKIP() << why;
  const auto dir = test_dir("ok");
  const auto failed = in_child(tun_node_with_mode(0666, dir), [] {
    enter_user_namespace_unless_root();
    require_l3_privileges();
    if (::geteuid() != 0) return fmt::format("euid {} after entering, not 0", ::geteuid());
    if (privilege_mode() != PrivilegeMode::user_namespace) return std::string("privilege_mode() is not user_namespace");
    struct statfs fs {};
    if (::statfs("/run/netns", &fs) != 0 || fs.f_type != TMPFS_MAGIC) return std::string("/run/netns is not a tmpfs");
    if (!NetNamespace::list_ours().empty()) return std::string("the private /run/netns shows the host's namespaces");
    L3Topology topo(sides(Device::tun, Device::packet_socket, {{"net.ipv4.tcp_sack", "0"}}));
    const auto d = topo.describe();
    if (d["mode"] != "user_namespace") return "mode " + d["mode"].dump();
    if (d["client"]["sysctls"]["net.ipv4.tcp_sack"] != "0") return std::string("the client's sysctl was not applied");
    if (d["server"]["sysctls"]["net.ipv4.tcp_sack"] != "1") return std::string("the server's tcp_sack is not the default");
    if (NetNamespace::list_ours().size() != 2) return std::string("not two namespaces in the private /run/netns");
    return std::string();
  });
  std::filesystem::remove(dir);
  EXPECT_EQ(failed, "");
}

TEST(UserNamespaceEntry, ATunNodeAUserNamespaceMayNotOpenIsNamedWithItsMode) {
  if (auto why = l3_tools_missing(); !why.empty()) GTEST_SKIP() << why;
  const auto dir = test_dir("tun0600");
  const auto failed = in_child(tun_node_with_mode(0600, dir), [] {
    enter_user_namespace_unless_root();
    try {
      L3Topology topo(sides(Device::tun, Device::packet_socket));
      return std::string("the topology was built with a 0600 /dev/net/tun");
    } catch (const std::exception& e) {
      const std::string m = e.what();
      if (m.find("the device's mode is 0600") == std::string::npos || m.find("chmod 0666 /dev/net/tun") == std::string::npos)
        return "message: " + m;
    }
    return std::string();
  });
  std::filesystem::remove(dir);
  EXPECT_EQ(failed, "");
}

TEST(UserNamespaceEntry, ASysctlTheKernelHidesFromAUserNamespaceSaysSo) {
  if (auto why = l3_tools_missing(); !why.empty()) GTEST_SKIP() << why;
  if (!std::filesystem::exists("/proc/sys/net/ipv6/route/mtu_expires")) GTEST_SKIP() << "no net.ipv6.route.mtu_expires";
  const auto failed = in_child([] { return std::string(); }, [] {
    enter_user_namespace_unless_root();
    try {
      L3Topology topo(sides(Device::packet_socket, Device::packet_socket, {{"net.ipv6.route.mtu_expires", "600"}}));
      return std::string("net.ipv6.route.mtu_expires was set in a user namespace");
    } catch (const std::exception& e) {
      const std::string m = e.what();
      if (m.find("client side") == std::string::npos || m.find("the kernel hides it") == std::string::npos)
        return "message: " + m;
    }
    return std::string();
  });
  EXPECT_EQ(failed, "");
}

TEST(UserNamespaceEntry, AHostWithoutRunNetnsGetsOneOnAPrivateRun) {
  if (auto why = l3_tools_missing(); !why.empty()) GTEST_SKIP() << why;
  const auto failed = in_child(
      [] {  // as root, privately: an empty /run, as on a host where no `ip netns add` ever ran
        if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
            ::mount("wp-test", "/run", "tmpfs", 0, "mode=0755") != 0)
          return std::string("empty /run: ") + std::strerror(errno);
        return std::string();
      },
      [] {
        enter_user_namespace_unless_root();
        require_l3_privileges();
        if (!std::filesystem::is_directory("/run/netns")) return std::string("no /run/netns after entering");
        L3Topology topo(sides(Device::packet_socket, Device::packet_socket));
        return NetNamespace::list_ours().size() == 2 ? std::string() : std::string("not two namespaces");
      });
  EXPECT_EQ(failed, "");
}

// The enclosing user namespace allows none below it (user.max_user_namespaces
// = 0 there; set in a namespace of the child's own, never the host's).
TEST(UserNamespaceEntry, RefusedWhenTheEnclosingNamespaceAllowsNoneNamingTheSysctl) {
  if (auto why = l3_tools_missing(); !why.empty()) GTEST_SKIP() << why;
  const auto failed = in_child([] { return std::string(); }, [] {
    const unsigned uid = ::geteuid();
    auto write = [](const char* path, const std::string& text) {
      const int fd = ::open(path, O_WRONLY);
      const bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
      if (fd >= 0) ::close(fd);
      return ok;
    };
    // Its creator holds every capability in the new namespace until it execs.
    if (::unshare(CLONE_NEWUSER) != 0 || !write("/proc/self/uid_map", fmt::format("{0} {0} 1", uid)) ||
        !write("/proc/sys/user/max_user_namespaces", "0"))
      return std::string("cannot make the enclosing namespace: ") + std::strerror(errno);
    enter_user_namespace_unless_root();
    try {
      require_l3_privileges();
      return std::string("no refusal");
    } catch (const std::exception& e) {
      const std::string m = e.what();
      for (const char* part : {"uid 4100000 (not root)", "failed: ENOSPC", "user.max_user_namespaces = 0",
                               "sysctl -w user.max_user_namespaces=15000"})
        if (m.find(part) == std::string::npos) return fmt::format("'{}' not in: {}", part, m);
    }
    return std::string();
  });
  EXPECT_EQ(failed, "");
}

TEST(UserNamespaceEntry, NotRootAndNeverEnteredIsNamed) {
  if (auto why = l3_tools_missing(); !why.empty()) GTEST_SKIP() << why;
  const auto failed = in_child([] { return std::string(); }, [] {
    try {
      L3Topology topo(sides(Device::packet_socket, Device::packet_socket));
      return std::string("built a topology as uid 4100000 without a user namespace");
    } catch (const std::exception& e) {
      if (std::string(e.what()).find("runs as uid 4100000 and entered none") == std::string::npos)
        return std::string("message: ") + e.what();
    }
    return std::string();
  });
  EXPECT_EQ(failed, "");
}

}  // namespace
}  // namespace wireproof::wire::l3
