// A named network namespace owned by this process: `wp-<pid>-<n>`, created with
// `ip netns add` (so it is bind-mounted at /run/netns/<name>, visible to `ip netns`,
// tc and tcpdump -- the tools the harness and its users debug with) and deleted in
// the destructor. A crashed or SIGKILLed owner cannot run its destructor, so the
// name carries the owner's pid and `sweep_stale()` deletes every `wp-<pid>-*` whose
// pid no longer exists; each new namespace runs the sweep first.
//
//   NetNamespace a, b;                                   // wp-4242-0, wp-4242-1
//   int s = in_namespace(a, [] { return ::socket(AF_INET, SOCK_STREAM, 0); });
//   // s belongs to a's network stack for its whole life, whichever thread uses it.
#pragma once

#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace wireproof::wire::l3 {

inline constexpr const char* kNamespacePrefix = "wp-";

class NetNamespace {
 public:
  NetNamespace();  // throws std::runtime_error naming the failing command
  ~NetNamespace();
  NetNamespace(const NetNamespace&) = delete;
  NetNamespace& operator=(const NetNamespace&) = delete;

  const std::string& name() const { return name_; }
  std::string path() const { return "/run/netns/" + name_; }

  // Deletes every wp-<pid>-* namespace whose owning pid is dead; returns their names.
  static std::vector<std::string> sweep_stale();
  // Names of the wp-* namespaces that exist now (all owners).
  static std::vector<std::string> list_ours();

 private:
  std::string name_;
};

namespace detail {
// Moves the calling thread into the namespace at `path` (setns CLONE_NEWNET); throws.
void enter_namespace(const std::string& path);
}  // namespace detail

// Runs fn on a helper thread that has entered ns, and returns its result (or rethrows).
// Only that thread changes namespace: the caller's threads stay where they are, and
// sockets and TUN fds created inside keep their namespace when handed back.
template <class Fn>
auto in_namespace(const NetNamespace& ns, Fn&& fn) -> std::invoke_result_t<Fn&> {
  using R = std::invoke_result_t<Fn&>;
  std::exception_ptr error;
  if constexpr (std::is_void_v<R>) {
    std::thread t([&] {
      try {
        detail::enter_namespace(ns.path());
        fn();
      } catch (...) {
        error = std::current_exception();
      }
    });
    t.join();
    if (error) std::rethrow_exception(error);
  } else {
    std::optional<R> result;
    std::thread t([&] {
      try {
        detail::enter_namespace(ns.path());
        result.emplace(fn());
      } catch (...) {
        error = std::current_exception();
      }
    });
    t.join();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
  }
}

}  // namespace wireproof::wire::l3
