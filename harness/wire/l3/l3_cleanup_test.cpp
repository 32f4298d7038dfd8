// Nothing is left behind: not by the destructors, and not by an owner killed with
// SIGKILL (whose namespaces the sweep removes).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/wire/l3/l3_test_support.hpp"
#include "harness/wire/l3/tun_device.hpp"

namespace wireproof::wire::l3 {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Every namespace `ip netns list` shows (not only those NetNamespace recognises).
bool ip_netns_lists(const std::string& name) {
  const auto out = test::tool_output("ip", {"netns", "list"});
  return out.find(name + " ") != std::string::npos || out.find(name + "\n") != std::string::npos;
}

bool root_namespace_has_wp_device() { return test::tool_output("ip", {"-o", "link", "show"}).find(": wp-") != std::string::npos; }

TEST(L3Cleanup, DestructorsLeaveNoNamespaceOrDevice) {
  WP_SKIP_WITHOUT_L3();
  std::vector<std::string> names;
  {
    NetNamespace a, b;
    TunDevice ta(a, {"198.18.0.1", "198.18.0.2", 1500});
    TunDevice tb(b, {"198.18.0.2", "198.18.0.1", 1500});
    names = {a.name(), b.name()};
    for (const auto& n : names) ASSERT_TRUE(ip_netns_lists(n)) << n << " was never created";
    EXPECT_FALSE(root_namespace_has_wp_device()) << "a TUN was created outside its namespace";
  }
  const std::string mine = std::string(kNamespacePrefix) + std::to_string(::getpid()) + "-";
  for (const auto& n : NetNamespace::list_ours()) EXPECT_NE(n.rfind(mine, 0), 0u) << n << " left behind";
  for (const auto& n : names) EXPECT_FALSE(ip_netns_lists(n)) << n << " left behind";
  EXPECT_FALSE(root_namespace_has_wp_device());
}

// Kills the owner if an assertion returns early, so a failing test leaves no process.
struct KillOnExit {
  pid_t pid;
  bool reaped = false;
  ~KillOnExit() {
    if (reaped) return;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    NetNamespace::sweep_stale();
  }
};

TEST(L3Cleanup, SweepRemovesWhatAKilledOwnerLeft) {
  WP_SKIP_WITHOUT_L3();
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The owner: sets up a namespace and a TUN, reports the name, waits to be killed.
    ::close(ready[0]);
    try {
      NetNamespace ns;
      TunDevice tun(ns, {"198.18.0.1", "198.18.0.2", 1500});
      const std::string line = ns.name() + "\n";
      if (::write(ready[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) ::_exit(3);
      for (;;) ::pause();
    } catch (...) {
      ::_exit(4);
    }
  }
  KillOnExit guard{child};
  ::close(ready[1]);
  std::string name;
  char c;
  while (::read(ready[0], &c, 1) == 1 && c != '\n') name += c;
  ::close(ready[0]);
  ASSERT_FALSE(name.empty()) << "the owner process failed before reporting its namespace";
  ASSERT_TRUE(ip_netns_lists(name));

  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  guard.reaped = true;
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  // No destructor ran: the namespace outlives its owner until someone sweeps.
  ASSERT_TRUE(ip_netns_lists(name)) << "expected the killed owner's namespace to persist";
  // The TUN, though, went with the owner's fd: the kernel removed it.
  EXPECT_THROW(test::tool_output("ip", {"-n", name, "link", "show", "dev", name}), std::runtime_error)
      << "the killed owner's TUN device survived it";

  const auto removed = NetNamespace::sweep_stale();
  EXPECT_TRUE(contains(removed, name));
  EXPECT_FALSE(ip_netns_lists(name)) << name << " survived the sweep";
  EXPECT_FALSE(contains(NetNamespace::list_ours(), name));
  EXPECT_FALSE(root_namespace_has_wp_device());
}

TEST(L3Cleanup, SweepLeavesALiveOwnersNamespace) {
  WP_SKIP_WITHOUT_L3();
  NetNamespace ns;  // owned by this live process
  const auto removed = NetNamespace::sweep_stale();
  EXPECT_FALSE(contains(removed, ns.name()));
  EXPECT_TRUE(ip_netns_lists(ns.name()));
}

}  // namespace
}  // namespace wireproof::wire::l3
