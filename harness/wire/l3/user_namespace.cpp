#include "harness/wire/l3/user_namespace.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/wire/l3/proc_sys.hpp"
#include "harness/wire/relay_clock.hpp"

namespace fs = std::filesystem;

namespace wireproof::wire::l3 {
namespace {

// Why the last enter_user_namespace_unless_root() failed; empty when it did not.
// Process-wide on purpose: the namespaces it is about are the process's.
std::string& recorded_refusal() {
  static std::string refusal;
  return refusal;
}

std::optional<std::string> first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return line;
}

std::optional<std::string> status_field(const char* field) {
  std::ifstream in("/proc/self/status");
  const std::string prefix = std::string(field) + ":";
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) {
      auto value = line.substr(prefix.size());
      value.erase(0, value.find_first_not_of(" \t"));
      return value;
    }
  return std::nullopt;
}

int thread_count() {
  std::error_code ec;
  int n = 0;
  for (auto it = fs::directory_iterator("/proc/self/task", ec); !ec && it != fs::directory_iterator(); ++it) ++n;
  return n > 0 ? n : 1;
}

// `euid` as it was before unshare: inside, it reads as the overflow uid until mapped.
UserNamespaceFacts facts_of(std::string step, int error, unsigned euid) {
  UserNamespaceFacts f;
  f.step = std::move(step);
  f.error = error;
  f.euid = euid;
  f.threads = thread_count();
  f.max_user_namespaces = first_line("/proc/sys/user/max_user_namespaces");
  f.unprivileged_userns_clone = first_line("/proc/sys/kernel/unprivileged_userns_clone");
  f.apparmor_restrict = first_line("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  f.seccomp = status_field("Seccomp");
  return f;
}

// The steps of `unshare -Urnm` plus a private /run/netns; the first failure's facts.
std::optional<UserNamespaceFacts> enter() {
  const unsigned uid = ::geteuid(), gid = ::getegid();
  // Each failure's errno is saved first: building the step's text may allocate.
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET) != 0) {
    const int e = errno;
    return facts_of("unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET)", e, uid);
  }
  // setgroups must be denied before an unprivileged process may write gid_map (user_namespaces(7)).
  if (int e = write_proc_file("/proc/self/setgroups", "deny"); e != 0 && e != ENOENT)
    return facts_of("write 'deny' to /proc/self/setgroups", e, uid);
  if (int e = write_proc_file("/proc/self/uid_map", fmt::format("0 {} 1", uid)); e != 0)
    return facts_of(fmt::format("write '0 {} 1' to /proc/self/uid_map", uid), e, uid);
  if (int e = write_proc_file("/proc/self/gid_map", fmt::format("0 {} 1", gid)); e != 0)
    return facts_of(fmt::format("write '0 {} 1' to /proc/self/gid_map", gid), e, uid);
  // Nothing mounted from here on propagates back to the host's mount namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    const int e = errno;
    return facts_of("mount --make-rprivate /", e, uid);
  }
  // A tmpfs over the host's /run/netns; without one, over /run (an unprivileged
  // user cannot create /run/netns, and `ip netns add` needs the directory).
  const bool have_netns_dir = fs::is_directory("/run/netns");
  const char* target = have_netns_dir ? "/run/netns" : "/run";
  if (::mount("wireproof-netns", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") != 0) {
    const int e = errno;
    return facts_of(fmt::format("mount tmpfs on {}", target), e, uid);
  }
  if (!have_netns_dir && ::mkdir("/run/netns", 0755) != 0) {
    const int e = errno;
    return facts_of("mkdir /run/netns", e, uid);
  }
  return std::nullopt;
}

// Runs the steps in a forked child first and returns its refusal ("" = it
// entered, or no child could run: then the real attempt reports). A failure
// after unshare succeeded (AppArmor's restriction refuses the uid_map write)
// would leave this process in a user namespace without a uid mapping, where
// it could not even write result.json; the child takes that fall instead.
std::string refusal_in_probe_child() {
  return detail::in_forked_child([] {
           const auto refused = enter();
           return refused ? user_namespace_refusal(*refused) : std::string();
         })
      .value_or("");
}

bool is(const std::optional<std::string>& value, const char* expected) { return value && *value == expected; }

std::string cause(const UserNamespaceFacts& f) {
  const std::string max = f.max_user_namespaces.value_or("(unreadable)");
  if (f.error == EINVAL && f.threads > 1)
    return fmt::format("the process already has {} threads, and a user namespace can only be entered by a "
                       "single-threaded one: a harness bug (enter it before any thread starts)",
                       f.threads);
  if (f.error == ENOSPC || f.error == EUSERS) {
    if (is(f.max_user_namespaces, "0"))
      return "user namespaces are disabled here: user.max_user_namespaces = 0. Allow them with "
             "`sysctl -w user.max_user_namespaces=15000`";
    return fmt::format("the limit on user namespaces is reached (user.max_user_namespaces = {} here, or an "
                       "enclosing namespace's limit, or the nesting depth of 32). Raise it with "
                       "`sysctl -w user.max_user_namespaces=15000`",
                       max);
  }
  if (f.error == EPERM || f.error == EACCES) {
    if (is(f.unprivileged_userns_clone, "0"))
      return "kernel.unprivileged_userns_clone = 0 forbids user namespaces to unprivileged users. Allow them with "
             "`sysctl -w kernel.unprivileged_userns_clone=1`";
    if (is(f.apparmor_restrict, "1"))
      return "kernel.apparmor_restrict_unprivileged_userns = 1: AppArmor leaves an unconfined program no "
             "capabilities in its user namespace. Allow it with "
             "`sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`, or an AppArmor profile for wireproof "
             "with the `userns,` rule";
    if (f.seccomp && *f.seccomp != "0")
      return fmt::format("a seccomp filter is active (Seccomp: {} in /proc/self/status; container runtimes' "
                         "default profiles refuse unshare(2)): run with a profile that allows unshare(CLONE_NEWUSER)",
                         *f.seccomp);
    return fmt::format("none of the known switches is set (user.max_user_namespaces = {}, no "
                       "kernel.unprivileged_userns_clone = 0, no AppArmor restriction, no seccomp filter): an LSM "
                       "policy or a chroot may refuse it; see the kernel log",
                       max);
  }
  return fmt::format("not one of the known refusals of user namespaces (user.max_user_namespaces = {})", max);
}

}  // namespace

const char* to_string(PrivilegeMode m) { return m == PrivilegeMode::root ? "root" : "user_namespace"; }

bool is_initial_uid_map(std::string_view text) {
  std::istringstream in{std::string(text)};
  unsigned long long inner = 1, outer = 1, count = 0;
  std::string rest;
  if (!(in >> inner >> outer >> count) || (in >> rest)) return false;
  return inner == 0 && outer == 0 && count == 4294967295ULL;
}

PrivilegeMode privilege_mode() {
  std::ifstream in("/proc/self/uid_map");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return is_initial_uid_map(text) ? PrivilegeMode::root : PrivilegeMode::user_namespace;
}

void enter_user_namespace_unless_root() {
  if (::geteuid() == 0) return;
  std::string refusal = refusal_in_probe_child();
  if (refusal.empty())
    if (auto refused = enter()) refusal = user_namespace_refusal(*refused);
  recorded_refusal() = refusal;
}

void require_l3_privileges() {
  if (!recorded_refusal().empty()) throw std::runtime_error(recorded_refusal());
  if (::geteuid() == 0) return;
  throw std::runtime_error(fmt::format(
      "the L3 wire needs root or a user namespace: this process runs as uid {} and entered none "
      "(`wireproof run` enters one at its start: harness/wire/l3/user_namespace.hpp)",
      ::geteuid()));
}

namespace detail {

std::optional<std::string> in_forked_child(const std::function<std::string()>& fn) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return std::nullopt;
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(p[0]);
    ::close(p[1]);
    return std::nullopt;
  }
  if (pid == 0) {
    ::close(p[0]);
    std::string text;
    try {
      text = fn();
    } catch (const std::exception& e) {
      text = std::string("threw: ") + e.what();
    }
    [[maybe_unused]] auto n = ::write(p[1], text.data(), text.size());
    ::_exit(0);
  }
  ::close(p[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
  ::close(p[0]);
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return text;
}

}  // namespace detail

std::string user_namespace_refusal(const UserNamespaceFacts& f) {
  return fmt::format("the L3 wire needs root or a user namespace, and neither is available: wireproof runs as uid "
                     "{} (not root), and {} failed: {} ({}). {}. Or run as root",
                     f.euid, f.step, errno_name(f.error), std::strerror(f.error), cause(f));
}

}  // namespace wireproof::wire::l3
