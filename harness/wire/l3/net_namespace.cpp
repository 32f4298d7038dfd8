#include "harness/wire/l3/net_namespace.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "harness/wire/l3/tool_command.hpp"
#include "harness/wire/unique_fd.hpp"

namespace fs = std::filesystem;

namespace wireproof::wire::l3 {

namespace {

std::atomic<unsigned> next_index{0};

// The owner pid of a `wp-<pid>-<n>` name, or -1 if the name is not of that shape.
long owner_pid(const std::string& name) {
  const std::string prefix = kNamespacePrefix;
  if (name.rfind(prefix, 0) != 0) return -1;
  const auto dash = name.find('-', prefix.size());
  if (dash == std::string::npos || dash == prefix.size() || dash + 1 == name.size()) return -1;
  long pid = 0;
  for (auto i = prefix.size(); i < dash; ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    pid = pid * 10 + (name[i] - '0');
    if (pid > 1L << 30) return -1;
  }
  for (auto i = dash + 1; i < name.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return -1;
  return pid;
}

bool process_alive(long pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM; }

}  // namespace

NetNamespace::NetNamespace() {
  sweep_stale();
  name_ = fmt::format("{}{}-{}", kNamespacePrefix, ::getpid(), next_index++);
  run_tool("ip", {"netns", "add", name_});
}

NetNamespace::~NetNamespace() {
  try {
    run_tool("ip", {"netns", "del", name_});
  } catch (const std::exception& e) {
    // A destructor must not throw; the sweep of the next run removes what stays.
    std::fprintf(stderr, "%s\n", e.what());
  }
}

std::vector<std::string> NetNamespace::list_ours() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/run/netns", ec)) {
    auto name = entry.path().filename().string();
    if (owner_pid(name) >= 0) names.push_back(std::move(name));
  }
  return names;  // no /run/netns yet: no namespaces, not an error
}

std::vector<std::string> NetNamespace::sweep_stale() {
  std::vector<std::string> removed;
  for (const auto& name : list_ours()) {
    const long pid = owner_pid(name);
    // A reused pid keeps its namespace until that process exits too: never delete a live owner's.
    if (pid == ::getpid() || process_alive(pid)) continue;
    run_tool("ip", {"netns", "del", name});
    removed.push_back(name);
  }
  return removed;
}

namespace detail {

void enter_namespace(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw std::system_error(errno, std::generic_category(), "l3: open " + path);
  if (::setns(fd.get(), CLONE_NEWNET) != 0)
    throw std::system_error(errno, std::generic_category(), "l3: setns(CLONE_NEWNET) into " + path);
}

}  // namespace detail

}  // namespace wireproof::wire::l3
