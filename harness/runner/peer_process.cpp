#include "harness/runner/peer_process.hpp"
#include "harness/runner/child_setup.hpp"
#include "harness/wire/unique_fd.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <boost/process.hpp>

namespace bp = boost::process;

namespace wireproof::runner {

struct PeerProcess::Impl {
  bp::pipe out_pipe;
  bp::child child;
  std::ofstream copy;
  std::string buffer;
  int fd = -1;
  std::optional<int> code;
  std::string reason;
  std::string kill_note;
};

PeerProcess::PeerProcess(const std::vector<std::string>& argv, const std::string& stdout_copy_path,
                         const std::string& stderr_path, const Placement& placement)
    : impl_(std::make_unique<Impl>()) {
  if (argv.empty()) throw std::runtime_error("empty peer command");
  if (::access(argv[0].c_str(), X_OK) != 0)
    throw std::runtime_error("peer executable '" + argv[0] + "' cannot be run: " + std::strerror(errno) +
                             " (build it, or check peers/registry.json)");
  impl_->copy.open(stdout_copy_path, std::ios::binary);
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  std::error_code ec;
  ChildSetup setup;
  wire::UniqueFd netns;  // held open until the child has entered it
  if (!placement.netns_path.empty()) {
    netns = wire::UniqueFd(::open(placement.netns_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!netns) throw std::runtime_error("network namespace " + placement.netns_path + ": " + std::strerror(errno));
    setup.netns_fd = netns.get();
  }
  setup.packet_fd = placement.packet_fd;
  impl_->child = bp::child(bp::exe = argv[0], bp::args = args, bp::std_out > impl_->out_pipe,
                           bp::std_err > stderr_path, bp::std_in < bp::null, setup, ec);
  if (ec) throw std::runtime_error("cannot start peer '" + argv[0] + "': " + ec.message());
  impl_->fd = impl_->out_pipe.native_source();
  ::fcntl(impl_->fd, F_SETFL, ::fcntl(impl_->fd, F_GETFL) | O_NONBLOCK);
}

PeerProcess::~PeerProcess() {
  if (impl_ && running()) terminate("harness finished");
}

int PeerProcess::stdout_fd() const { return impl_->fd; }
int PeerProcess::pid() const { return impl_->child.id(); }

std::vector<std::string> PeerProcess::read_lines() {
  std::vector<std::string> lines;
  if (impl_->fd < 0) return lines;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(impl_->fd, buf, sizeof buf);
    if (n > 0) {
      impl_->copy.write(buf, n);
      impl_->buffer.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) impl_->fd = -1;  // EOF: the child closed stdout
    break;                        // EAGAIN or EOF
  }
  impl_->copy.flush();
  std::size_t start = 0;
  for (std::size_t nl; (nl = impl_->buffer.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(impl_->buffer.substr(start, nl - start));
  impl_->buffer.erase(0, start);
  return lines;
}

std::optional<std::string> PeerProcess::take_partial_line() {
  if (impl_->buffer.empty()) return std::nullopt;
  return std::exchange(impl_->buffer, {});
}

static std::string describe_status(int status, const std::string& note) {
  if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    std::string s = "killed by signal " + std::to_string(sig) + " (" + ::strsignal(sig) + ")";
    return note.empty() ? s : s + " " + note;
  }
  return "ended with status " + std::to_string(status);
}

bool PeerProcess::running() {
  if (impl_->code) return false;
  int status = 0;
  pid_t r = ::waitpid(impl_->child.id(), &status, WNOHANG);
  if (r == 0) return true;
  if (r < 0) {  // already reaped elsewhere: treat as gone
    impl_->code = -1;
    impl_->reason = "exit status lost";
    return false;
  }
  impl_->code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  impl_->reason = describe_status(status, impl_->kill_note);
  impl_->child.detach();  // reaped by us, not by boost
  return false;
}

std::optional<int> PeerProcess::exit_code() const { return impl_->code; }
std::string PeerProcess::exit_reason() const { return impl_->reason.empty() ? "still running" : impl_->reason; }

void PeerProcess::terminate(const std::string& why) {
  if (!running()) return;
  impl_->kill_note = "(" + why + ")";
  pid_t pgid = impl_->child.id();
  ::kill(-pgid, SIGTERM);
  for (int k = 0; k < 100 && running(); ++k) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (running()) {
    ::kill(-pgid, SIGKILL);
    for (int k = 0; k < 500 && running(); ++k) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(-pgid, SIGKILL);  // whatever else is left in the group
}

}  // namespace wireproof::runner
