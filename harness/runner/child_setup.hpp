// What every process the harness starts does between fork and exec (a
// Boost.Process initializer, after the stdio redirections): die with its
// parent (PR_SET_PDEATHSIG, so nothing is orphaned under PID 1 when the
// harness is killed), its own process group (one kill() reaches what it
// forks), and no inherited descriptors beyond stdio (the harness's sockets
// and other children's pipes stay out of it).
#pragma once

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <linux/close_range.h>

#include <boost/process/extend.hpp>

namespace wireproof::runner {

struct ChildSetup : boost::process::extend::handler {
  template <typename Executor>
  void on_exec_setup(Executor&) const {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::setpgid(0, 0);
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  }
};

}  // namespace wireproof::runner
