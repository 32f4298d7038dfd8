// SIGTERM and SIGINT as something a poll loop can wait on: the harness's way
// of saying "the run is over" (peers/CONTRACT.md, "Ending"). The peer then
// reports what it has (app_data, closed "stopped") and exits, instead of dying
// without a word. Built on signalfd, so a signal that arrives just before
// poll() is not missed. Construct it before anything else and keep it for the
// process's life (it blocks the two signals for the calling thread).
#pragma once

namespace wireproof::peers {

class StopSignal {
 public:
  StopSignal();   // blocks SIGTERM/SIGINT and opens the signalfd; throws std::system_error
  ~StopSignal();  // closes it (the signals stay blocked: the process is ending)
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  int fd() const { return fd_; }  // readable once a stop was requested
  // True once SIGTERM or SIGINT arrived (reads the fd without blocking).
  bool requested();

 private:
  int fd_ = -1;
  bool requested_ = false;
};

}  // namespace wireproof::peers
