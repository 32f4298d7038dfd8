#include "peers/common/stop_signal.hpp"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace wireproof::peers {

StopSignal::StopSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0) throw std::system_error(errno, std::generic_category(), "sigprocmask");
  fd_ = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "signalfd");
}

StopSignal::~StopSignal() {
  if (fd_ >= 0) ::close(fd_);
}

bool StopSignal::requested() {
  if (requested_) return true;
  signalfd_siginfo si{};
  if (::read(fd_, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) requested_ = true;
  return requested_;
}

}  // namespace wireproof::peers
