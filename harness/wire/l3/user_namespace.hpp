// Non-root mode for the L3 wire (issue 9 "As root and without it"). The wire
// needs what only root has: `ip netns add` (bind mounts under /run/netns), TUN
// devices, sysctls. Without root, `wireproof run` of a `wire: l3` scenario
// enters, at its start, a new user namespace that maps the caller's uid/gid to
// 0 (`unshare -Urnm` style), together with
//   - a mount namespace, where /run/netns is a private tmpfs (so `ip netns` can
//     make its bind mounts; the host's /run/netns is neither seen nor touched), and
//   - a network namespace of its own: `ip netns add` returns to the namespace it
//     started in, and a user namespace may only re-enter one it owns.
// Everything after that (namespaces, TUN, sysctls, peers placed by setns) runs
// as "root" of that namespace. The namespaces die with the last process in them,
// so nothing outlives the run, even after SIGKILL.
//
// Why in-process, at the CLI's start: unshare(CLONE_NEWUSER) only works while
// the process is single-threaded, and the runner starts threads (in_namespace).
// One process entering is the least invasive: the runner, the topology and the
// peers run unchanged (the matrix's cells are `wireproof run` processes, so each
// enters its own). A refusal is not fatal there: it is recorded, and the L3
// topology throws it when it is built, so the run ends `error` with the cause
// in result.json, as every other wire setup failure does.
//
//   enter_user_namespace_unless_root();   // cmd_run, single-threaded
//   ...
//   require_l3_privileges();              // L3Topology(): throws the recorded refusal
//   privilege_mode();                     // root | user_namespace, for result.json
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace wireproof::wire::l3 {

enum class PrivilegeMode { root, user_namespace };
const char* to_string(PrivilegeMode m);  // "root", "user_namespace"

// user_namespace when /proc/self/uid_map is not the initial namespace's
// identity map (ours, or any container's user namespace).
PrivilegeMode privilege_mode();
bool is_initial_uid_map(std::string_view uid_map_text);

// Does nothing when euid is 0. Otherwise enters the namespaces above, or
// records why it cannot (require_l3_privileges throws that). A forked child
// tries the steps first, so a refusal midway never leaves this process in a
// user namespace without a uid mapping. Must be called while the process has
// a single thread.
void enter_user_namespace_unless_root();

// Throws std::runtime_error saying why the L3 wire cannot be built here (not
// root and no user namespace entered), naming the cause and the sysctl to
// change; returns when it can.
void require_l3_privileges();

// What the kernel showed when entering failed; the refusal message is a pure
// function of it (unit-tested for each cause).
struct UserNamespaceFacts {
  std::string step;  // the call that failed: "unshare(CLONE_NEWUSER | ...)", "write /proc/self/uid_map", ...
  int error = 0;     // its errno
  unsigned euid = 0;
  int threads = 1;                                       // entries in /proc/self/task
  std::optional<std::string> max_user_namespaces;        // /proc/sys/user/max_user_namespaces
  std::optional<std::string> unprivileged_userns_clone;  // /proc/sys/kernel/unprivileged_userns_clone (Debian's switch)
  std::optional<std::string> apparmor_restrict;          // /proc/sys/kernel/apparmor_restrict_unprivileged_userns (Ubuntu)
  std::optional<std::string> seccomp;                    // "Seccomp:" of /proc/self/status: 0 none, 1 strict, 2 filter
};
std::string user_namespace_refusal(const UserNamespaceFacts& facts);

namespace detail {
// Runs fn in a forked child (which then _exits) and returns the text fn
// returned; nullopt when no child ran or it died before reporting. For a
// single-threaded caller: the probe above, and the tests' throwaway users.
std::optional<std::string> in_forked_child(const std::function<std::string()>& fn);
}  // namespace detail

}  // namespace wireproof::wire::l3
