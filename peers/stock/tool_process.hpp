// One run of a stock tool: started from an argv vector (no shell) with its
// stdin, stdout and stderr on pipes, in a process group of its own. The tool
// never outlives this object: the destructor kills the group, and the child
// asks the kernel for SIGKILL should the wrapper die first (PR_SET_PDEATHSIG).
//
//   ToolProcess tool({"openssl", "s_server", ...});
//   poll on tool.stdout_fd(), tool.stderr_fd(); write to tool.stdin_fd();
//   tool.terminate(std::chrono::milliseconds(500));  // TERM, then KILL
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "peers/stock/unique_fd.hpp"

namespace wireproof::stock {

// The tool could not be started (not on PATH, exec failed).
struct SpawnError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ToolProcess {
 public:
  // argv[0] is looked up on PATH unless it is a path. Pipes are non-blocking on our side.
  // `env` is set in the tool's environment on top of ours (SSLKEYLOGFILE).
  explicit ToolProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});
  ~ToolProcess();
  ToolProcess(const ToolProcess&) = delete;
  ToolProcess& operator=(const ToolProcess&) = delete;

  pid_t pid() const { return pid_; }
  int stdin_fd() const { return in_.get(); }
  int stdout_fd() const { return out_.get(); }
  int stderr_fd() const { return err_.get(); }
  // EOF on the tool's stdin (s_client and gnutls-cli then send close_notify).
  void close_stdin() { in_.reset(); }
  // Bytes written to stdin that the tool has not read yet.
  int stdin_pending() const;

  // The wait status once the tool has exited (reaps it), else nullopt.
  std::optional<int> poll_exit();
  // SIGTERM to the group, SIGKILL after `grace`; reaps. Returns the wait status.
  int terminate(std::chrono::milliseconds grace);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  UniqueFd in_, out_, err_;
};

// "exited 0", "killed by signal 15".
std::string describe_status(int status);

}  // namespace wireproof::stock
