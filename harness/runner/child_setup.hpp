// What every process the harness starts does between fork and exec (a
// Boost.Process initializer, after the stdio redirections): die with its
// parent (PR_SET_PDEATHSIG, so nothing is orphaned under PID 1 when the
// harness is killed), its own process group (one kill() reaches what it
// forks), and no inherited descriptors beyond stdio (the harness's sockets
// and other children's pipes stay out of it).
//
// On the L3 wire a peer also runs inside its side's network namespace
// (`netns_fd`, an open /run/netns/<name>: setns before exec, so the peer's
// sockets belong to that namespace's stack), and a user-space stack inherits
// its packet port as fd 3 (`packet_fd`; peers/CONTRACT.md `--packet-fd 3`).
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <linux/close_range.h>

#include <boost/process/extend.hpp>

#include "harness/runner/peer_process.hpp"

namespace wireproof::runner {

struct ChildSetup : boost::process::extend::handler {
  int netns_fd = -1;
  int packet_fd = -1;

  template <typename Executor>
  void on_exec_setup(Executor&) const {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::setpgid(0, 0);
    // Failing either is fatal for this child: running in the harness's own
    // namespace, or without its device, would test the wrong network.
    if (netns_fd >= 0 && ::setns(netns_fd, CLONE_NEWNET) != 0) ::_exit(126);
    if (packet_fd >= 0) {
      if (packet_fd != kInheritedPacketFd && ::dup2(packet_fd, kInheritedPacketFd) < 0) ::_exit(126);
      ::fcntl(kInheritedPacketFd, F_SETFD, 0);  // dup2 onto itself keeps FD_CLOEXEC
    }
    ::close_range(packet_fd >= 0 ? kInheritedPacketFd + 1 : 3, ~0U, CLOSE_RANGE_CLOEXEC);
  }
};

}  // namespace wireproof::runner
