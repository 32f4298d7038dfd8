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
#include <linux/filter.h>
#include <linux/magic.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include <cstddef>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <initializer_list>
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
  return detail::in_forked_child([&] {
           if (auto what = setup(); !what.empty()) return what;
           if (::setgroups(0, nullptr) != 0 || ::setresgid(kThrowawayUid, kThrowawayUid, kThrowawayUid) != 0 ||
               ::setresuid(kThrowawayUid, kThrowawayUid, kThrowawayUid) != 0)
             return std::string("cannot drop to the throwaway uid");
           // A credential change makes the process non-dumpable, and /proc/self/* root's:
           // a process exec'd as the user (as wireproof is) is dumpable.
           if (::prctl(PR_SET_DUMPABLE, 1) != 0) return std::string("PR_SET_DUMPABLE");
           return body();
         })
      .value_or("the child did not report (crashed?)");
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

// "" when fn throws a message with every part, else what is wrong.
std::string error_lacks(const std::function<void()>& fn, std::initializer_list<const char*> parts) {
  try {
    fn();
    return "no error";
  } catch (const std::exception& e) {
    const std::string m = e.what();
    for (const char* part : parts)
      if (m.find(part) == std::string::npos) return fmt::format("'{}' not in: {}", part, m);
  }
  return "";
}

std::string refusal_lacks(std::initializer_list<const char*> parts) { return error_lacks(require_l3_privileges, parts); }

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
    return error_lacks([] { L3Topology topo(sides(Device::tun, Device::packet_socket)); },
                       {"the device's mode is 0600", "chmod 0666 /dev/net/tun"});
  });
  std::filesystem::remove(dir);
  EXPECT_EQ(failed, "");
}

TEST(UserNamespaceEntry, ASysctlTheKernelHidesFromAUserNamespaceSaysSo) {
  if (auto why = l3_tools_missing(); !why.empty()) GTEST_SKIP() << why;
  if (!std::filesystem::exists("/proc/sys/net/ipv6/route/mtu_expires")) GTEST_SKIP() << "no net.ipv6.route.mtu_expires";
  const auto failed = in_child([] { return std::string(); }, [] {
    enter_user_namespace_unless_root();
    return error_lacks(
        [] { L3Topology topo(sides(Device::packet_socket, Device::packet_socket, {{"net.ipv6.route.mtu_expires", "600"}})); },
        {"client side", "the kernel hides it"});
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
    return refusal_lacks({"uid 4100000 (not root)", "failed: ENOSPC", "user.max_user_namespaces = 0",
                          "sysctl -w user.max_user_namespaces=15000"});
  });
  EXPECT_EQ(failed, "");
}

// A refusal after unshare succeeded (here a seccomp filter refuses mount(2),
// as AppArmor's restriction refuses the uid_map write) is found by the probe
// child: the process itself stays in its user namespace, with its uid.
TEST(UserNamespaceEntry, AFailureAfterUnshareLeavesTheProcessWhereItWas) {
  if (auto why = l3_tools_missing(); !why.empty()) GTEST_SKIP() << why;
  const auto failed = in_child([] { return std::string(); }, [] {
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mount, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
      return std::string("seccomp: ") + std::strerror(errno);
    const auto before = std::filesystem::read_symlink("/proc/self/ns/user");
    enter_user_namespace_unless_root();
    if (std::filesystem::read_symlink("/proc/self/ns/user") != before || ::geteuid() != kThrowawayUid)
      return fmt::format("the process left its user namespace (euid now {})", ::geteuid());
    return refusal_lacks({"mount --make-rprivate / failed: EPERM", "a seccomp filter is active (Seccomp: 2"});
  });
  EXPECT_EQ(failed, "");
}

TEST(UserNamespaceEntry, NotRootAndNeverEnteredIsNamed) {
  if (auto why = l3_tools_missing(); !why.empty()) GTEST_SKIP() << why;
  const auto failed = in_child([] { return std::string(); }, [] {
    return error_lacks([] { L3Topology topo(sides(Device::packet_socket, Device::packet_socket)); },
                       {"runs as uid 4100000 and entered none"});
  });
  EXPECT_EQ(failed, "");
}

}  // namespace
}  // namespace wireproof::wire::l3
