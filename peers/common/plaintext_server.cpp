#include "peers/common/plaintext_server.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace wireproof::peers {
namespace {

using Clock = std::chrono::steady_clock;

bool is_reset(int err) { return err == ECONNRESET || err == EPIPE; }

PlaintextEnd failed(PlaintextEnd end, const char* call, int err) {
  end.socket_errno = err;
  end.how = is_reset(err) ? PlaintextEnd::How::rst : PlaintextEnd::How::error;
  end.error = std::string(call) + ": " + std::strerror(err);
  return end;
}

// The whole answer; a full send buffer (it never is, for 45 bytes) waits on poll.
bool send_answer(int fd, int& err) {
  std::size_t sent = 0;
  while (sent < kPlaintextAnswer.size()) {
    ssize_t n = ::send(fd, kPlaintextAnswer.data() + sent, kPlaintextAnswer.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      err = errno;
      return false;
    }
    pollfd p{fd, POLLOUT, 0};
    ::poll(&p, 1, 100);
  }
  return true;
}

}  // namespace

PlaintextEnd serve_plaintext(int fd, int idle_timeout_ms, int stop_fd) {
  PlaintextEnd end;
  const auto idle_deadline = Clock::now() + std::chrono::milliseconds(idle_timeout_ms);
  char sink[4096];
  for (;;) {
    int wait_ms = -1;  // once answered, only the client or a stop ends it
    if (!end.answered) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(idle_deadline - Clock::now()).count();
      if (left <= 0) {
        end.how = PlaintextEnd::How::idle;
        return end;
      }
      wait_ms = static_cast<int>(left);
    }
    pollfd p[2] = {{fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    int rc = ::poll(p, 2, wait_ms);
    if (rc < 0) {
      if (errno == EINTR) continue;
      return failed(end, "poll", errno);
    }
    if (p[1].revents) {
      end.how = PlaintextEnd::How::stopped;
      return end;
    }
    if (!p[0].revents) continue;
    ssize_t n = ::recv(fd, sink, sizeof sink, MSG_DONTWAIT);
    if (n == 0) {
      end.how = PlaintextEnd::How::fin;
      return end;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return failed(end, "recv", errno);
    }
    end.received += static_cast<std::uint64_t>(n);
    if (end.answered) continue;
    int err = 0;
    if (!send_answer(fd, err)) return failed(end, "send", err);
    end.answered = true;
  }
}

int end_plaintext(const PlaintextEnd& end, int idle_timeout_ms, const EmitEvent& emit) {
  using How = PlaintextEnd::How;
  auto closed = [&](const char* reason, int code) {
    emit({{"event", "closed"}, {"reason", reason}, {"received_bytes", end.received}});
    return code;
  };
  switch (end.how) {
    case How::idle:
      emit({{"event", "error"},
            {"message", "--plaintext: no bytes from the client within --idle-timeout-ms " +
                            std::to_string(idle_timeout_ms) + " ms"}});
      return closed("idle", kExitWorkload);
    case How::stopped:
      if (!end.answered) emit({{"event", "error"}, {"message", "--plaintext: stopped by SIGTERM before the client spoke"}});
      return closed("stopped", end.answered ? kExitOk : kExitWorkload);
    case How::fin:
    case How::rst:
      // The client's reaction to the answer, whatever it is, is what the harness judges: not an error of ours.
      if (!end.answered)
        emit({{"event", "error"}, {"message", "--plaintext: the client closed the connection before sending a byte"}});
      return closed(end.how == How::fin ? "fin" : "rst", end.answered ? kExitOk : kExitWorkload);
    case How::error: break;
  }
  return end_with_error(kExitWorkload, "--plaintext: " + end.error, emit, "", end.socket_errno);
}

}  // namespace wireproof::peers
