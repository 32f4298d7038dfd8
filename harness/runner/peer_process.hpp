// One peer as a child process: argv vector (never a shell), its own process
// group (so a wrapper's children die with it), stdout as a pipe the runner
// polls for contract events, stderr straight to a file, and PR_SET_PDEATHSIG
// so nothing outlives the harness even if the harness itself is killed.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wireproof::runner {

// Where a peer runs: the harness's own network (relay mode), or inside a
// namespace of the L3 wire, optionally holding a packet port (child_setup.hpp).
inline constexpr int kInheritedPacketFd = 3;

struct Placement {
  std::string netns_path;  // empty: the harness's namespace
  int packet_fd = -1;      // inherited as kInheritedPacketFd
  std::string local_address;  // with a packet port: the stack's own address (--local-address)
};

class PeerProcess {
 public:
  // Starts argv[0] with the rest as arguments. Throws std::runtime_error naming
  // the executable when it cannot be started (missing, not executable), or the
  // namespace when it cannot be opened.
  PeerProcess(const std::vector<std::string>& argv, const std::string& stdout_copy_path,
              const std::string& stderr_path, const Placement& placement = {});
  ~PeerProcess();  // kills the process group if still running, reaps it
  PeerProcess(const PeerProcess&) = delete;
  PeerProcess& operator=(const PeerProcess&) = delete;

  int stdout_fd() const;  // -1 once stdout hit EOF
  // Reads what is available on stdout; returns complete lines (without '\n').
  // Every byte read is also appended to the stdout copy file.
  std::vector<std::string> read_lines();
  // A trailing partial line left at EOF, if any.
  std::optional<std::string> take_partial_line();

  bool running();                          // reaps without blocking
  std::optional<int> exit_code() const;    // set once exited; 128+N for signal N
  std::string exit_reason() const;         // "exited 0", "killed by signal 9 (after deadline)"
  void terminate(const std::string& why);  // SIGTERM to the group, SIGKILL after 1 s, reap
  int pid() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wireproof::runner
