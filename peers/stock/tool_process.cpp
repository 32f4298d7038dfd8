#include "peers/stock/tool_process.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>

namespace bp = boost::process;

namespace wireproof::stock {

namespace {

struct Pipe {
  UniqueFd read, write;
};

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw SpawnError(std::string("pipe2: ") + std::strerror(errno));
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Runs in the child between fork and exec. Plain syscalls only.
struct ChildSetup : bp::extend::handler {
  int in, out, err;
  pid_t parent;

  template <typename Executor>
  void on_exec_setup(Executor&) const {
    // Die with the wrapper; if it already died, do not start at all.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::setpgid(0, 0);  // own group: one kill() reaches anything the tool forks
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    // The wrapper blocks TERM/INT/HUP/PIPE for its signalfd; the tool must
    // not inherit that mask (exec keeps it), nor SIG_IGN dispositions.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  }
};

}  // namespace

ToolProcess::ToolProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
  if (argv.empty()) throw SpawnError("empty tool command");
  // A bare name is looked up on PATH; a path is used as it is.
  boost::filesystem::path exe = argv[0].find('/') == std::string::npos ? bp::search_path(argv[0]) : argv[0];
  if (exe.empty()) throw SpawnError("'" + argv[0] + "' not found on PATH (is it installed?)");
  Pipe in = make_pipe(), out = make_pipe(), err = make_pipe();
  std::error_code ec;
  bp::environment environment = boost::this_process::environment();
  for (const auto& [name, value] : env) environment[name] = value;
  bp::child child(bp::exe = exe.string(), bp::args = std::vector<std::string>(argv.begin() + 1, argv.end()),
                  environment, ChildSetup{{}, in.read.get(), out.write.get(), err.write.get(), ::getpid()}, ec);
  if (ec) throw SpawnError("cannot start '" + argv[0] + "': " + ec.message());
  pid_ = child.id();
  child.detach();  // we reap it ourselves with waitpid
  in_ = std::move(in.write);
  out_ = std::move(out.read);
  err_ = std::move(err.read);
  for (int fd : {in_.get(), out_.get(), err_.get()}) set_nonblocking(fd);
}

ToolProcess::~ToolProcess() {
  if (pid_ > 0 && !status_) terminate(std::chrono::milliseconds(0));
}

int ToolProcess::stdin_pending() const {
  int n = 0;
  if (!in_ || ::ioctl(in_.get(), FIONREAD, &n) != 0) return 0;
  return n;
}

std::optional<int> ToolProcess::poll_exit() {
  if (status_ || pid_ <= 0) return status_;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = st;
    ::kill(-pid_, SIGKILL);  // anything the tool left in its group goes too
  }
  return status_;
}

int ToolProcess::terminate(std::chrono::milliseconds grace) {
  if (status_) return *status_;
  ::kill(-pid_, grace.count() > 0 ? SIGTERM : SIGKILL);
  const auto until = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < until) {
    if (poll_exit()) return *status_;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(-pid_, SIGKILL);
  int st = 0;
  while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
  }
  status_ = st;
  return st;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace wireproof::stock
