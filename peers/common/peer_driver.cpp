#include "peers/common/peer_driver.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "peers/common/framed_echo.hpp"
#include "peers/common/peer_ending.hpp"
#include "peers/common/timer_events.hpp"
#include "peers/common/stop_signal.hpp"

namespace wireproof::peers {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::int64_t ms_since(Clock::time_point start, Clock::time_point now) {
  return std::chrono::duration_cast<milliseconds>(now - start).count();
}

// Waits until fd is ready for `want`, a stop is requested, or timeout passes;
// true when fd is ready.
bool wait_fd(int fd, Progress want, milliseconds timeout, int stop_fd) {
  pollfd p[2] = {{fd, static_cast<short>(want == Progress::want_write ? POLLOUT : POLLIN), 0}, {stop_fd, POLLIN, 0}};
  int ms = static_cast<int>(std::clamp<std::int64_t>(timeout.count(), 0, 60'000));
  for (;;) {
    int rc = ::poll(p, 2, ms);
    if (rc >= 0) return p[0].revents != 0;
    if (errno != EINTR) throw SocketError(std::string("poll: ") + std::strerror(errno));
  }
}

// Waits for the socket, the library's timer, a stop request (SIGTERM) or
// `deadline`, whichever is first.
// A timer found due is handed to the library, its `timer` event printed
// first. When a datagram is waiting too, the library reads it before acting
// on the timer, as it would on its own: OpenSSL and GnuTLS resend from their
// read path once the timer is due (so the event is printed now, before that
// call); the ref is handed it on the next wait if the datagram did not stop it.
void wait_step(DtlsSession& session, TimerEvents& timer_events, int fd, Progress want, Clock::time_point deadline,
               int stop_fd) {
  auto timer = session.timer();
  const bool due_already = timer && timer->due;
  auto wake = timer ? std::min(deadline, timer->deadline) : deadline;
  // Round up so a poll never wakes a hair before the deadline and spins; a due
  // timer only needs to know whether a datagram is waiting.
  auto timeout = due_already ? milliseconds(0) : std::chrono::ceil<milliseconds>(wake - Clock::now()) + milliseconds(1);
  const bool readable = wait_fd(fd, want, timeout, stop_fd);
  if (!due_already) timer = session.timer();
  if (!timer || !timer->due) return;
  if (readable && !session.resends_from_read_path()) return;
  timer_events.expiry_handed(*timer);
  if (!readable) session.on_timer_expired();
}

class PeerRun {
 public:
  PeerRun(const PeerOptions& o, const Backend& b, EventEmitter& ev, StopSignal& stop)
      : opts_(o), backend_(b), events_(ev), stop_(stop), timer_events_(ev) {}

  int run() {
    std::optional<UdpSocket> socket;
    std::unique_ptr<DtlsSession> session;
    try {
      socket.emplace(opts_.role == Role::server ? UdpSocket::bound(opts_.listen) : UdpSocket::connected(opts_.connect));
      session = backend_.make_session(opts_, *socket, events_);
    } catch (const SetupError& e) {
      return fail(e.exit_code, e.what());
    } catch (const SocketError& e) {
      return fail(kExitInternal, e.what());
    }
    events_.emit({{"event", "ready"}, {"port", socket->local_port()}});
    if (int rc = handshake(*session, socket->fd()); rc != kExitOk) return rc;
    return opts_.role == Role::client ? client_workload(*session, socket->fd())
                                      : server_workload(*session, socket->fd());
  }

 private:
  int fail(int code, const std::string& message) { return end_with_error(code, message, emit_); }

  int handshake(DtlsSession& session, int fd) {
    const auto start = Clock::now();
    const auto deadline = start + milliseconds(opts_.handshake_timeout_ms);
    // Client: timed from the first ClientHello. Server: from the first datagram.
    std::optional<Clock::time_point> began;
    if (opts_.role == Role::client) began = start;
    for (;;) {
      Progress p = session.handshake();
      if (p == Progress::done) break;
      if (p == Progress::failed) return fail(kExitHandshake, handshake_failed(session.last_error()));
      if (p == Progress::closed) return fail(kExitHandshake, handshake_closed_by_peer());
      if (Clock::now() >= deadline) return fail(kExitHandshake, handshake_timed_out(opts_.handshake_timeout_ms));
      if (stop_.requested()) return fail(kExitHandshake, handshake_stopped());
      wait_step(session, timer_events_, fd, p, deadline, stop_.fd());
      if (!began) began = Clock::now();
    }
    std::chrono::duration<double, std::milli> took = Clock::now() - *began;
    events_.emit(handshake_done_event(session.version(), session.cipher(), session.cipher_iana(), took.count()));
    return kExitOk;
  }

  // Reads every record already available. Returns closed/failed when the
  // connection ended, want_read otherwise.
  template <typename OnRecord>
  Progress drain(DtlsSession& session, OnRecord on_record) {
    std::vector<std::uint8_t> record;
    for (;;) {
      Progress p = session.read_record(record);
      if (p != Progress::done) return p == Progress::want_write ? Progress::want_read : p;
      last_rx_ = Clock::now();
      on_record(record);
    }
  }

  int client_workload(DtlsSession& session, int fd) {
    const auto start = Clock::now();
    FramedEchoClient client(opts_.framing,
                            {workload_plan(opts_), EchoClient::resend_after_ms(opts_.timer_initial_ms)});
    last_rx_ = start;
    std::string reason;
    std::string error;
    for (;;) {
      for (const auto& r : client.records_to_send(ms_since(start, Clock::now()))) {
        if (session.write_record(r) == Progress::failed) error = "write failed: " + session.last_error();
      }
      if (!error.empty()) break;
      if (client.complete()) {
        reason = "done";
        break;
      }
      bool received = false;
      Progress p = drain(session, [&](const std::vector<std::uint8_t>& r) {
        client.on_record(r);
        received = true;
      });
      if (p == Progress::failed) {
        error = "read failed: " + session.last_error();
        break;
      }
      if (p == Progress::closed) {
        reason = "close_notify";
        break;
      }
      if (received) continue;  // echoes opened the window: send before sleeping
      if (stop_.requested()) {
        reason = "stopped";
        break;
      }
      // Silence ends the workload only before the first echo (CONTRACT.md "Workload").
      auto idle_deadline = last_rx_ + milliseconds(opts_.idle_timeout_ms);
      if (!client.heard_back() && Clock::now() >= idle_deadline) {
        reason = "idle";
        break;
      }
      auto deadline = client.heard_back() ? Clock::now() + milliseconds(60'000) : idle_deadline;
      if (auto resend = client.next_deadline_ms()) deadline = std::min(deadline, start + milliseconds(*resend));
      wait_step(session, timer_events_, fd, Progress::want_read, deadline, stop_.fd());
    }
    return end_client_workload(client.report(error.empty() ? workload_ended_by(reason) : error), client.complete(),
                               client.verified(), {reason, error}, emit_, [&] { session.send_close_notify(); });
  }

  int server_workload(DtlsSession& session, int fd) {
    FramedEchoServer server(opts_.framing, workload_plan(opts_));
    last_rx_ = Clock::now();
    std::string reason;
    std::string error;
    for (;;) {
      Progress p = drain(session, [&](const std::vector<std::uint8_t>& r) {
        server.on_record(r);
        if (session.write_record(r) == Progress::failed && error.empty())
          error = "echo write failed: " + session.last_error();
      });
      if (!error.empty()) break;
      if (p == Progress::failed) {
        error = "read failed: " + session.last_error();
        break;
      }
      if (p == Progress::closed) {
        reason = "close_notify";
        session.send_close_notify();
        break;
      }
      if (stop_.requested()) {
        reason = "stopped";
        break;
      }
      // Once the client reached us, its close_notify or the harness's SIGTERM ends the echo, not silence.
      auto idle_deadline = last_rx_ + milliseconds(opts_.idle_timeout_ms);
      if (!server.received_any() && Clock::now() >= idle_deadline) {
        reason = "idle";
        break;
      }
      wait_step(session, timer_events_, fd, Progress::want_read,
                server.received_any() ? Clock::now() + milliseconds(60'000) : idle_deadline, stop_.fd());
    }
    return end_server_workload(server.report(), server.verified(), {reason, error}, emit_);
  }

  const PeerOptions& opts_;
  const Backend& backend_;
  EventEmitter& events_;
  const EmitEvent emit_ = [this](nlohmann::json e) { events_.emit(std::move(e)); };
  StopSignal& stop_;
  TimerEvents timer_events_;
  Clock::time_point last_rx_;
};

}  // namespace

int run_peer(int argc, char** argv, const Backend& backend) {
  EventEmitter events(std::cout);
  std::vector<std::string> args(argv + 1, argv + argc);
  ParseResult parsed = parse_peer_options(args, backend.identity);
  if (!parsed.options) {
    std::cout << parsed.stdout_text << std::flush;
    std::cerr << parsed.stderr_text << std::flush;
    return parsed.exit_code;
  }
  try {
    StopSignal stop;
    PeerRun run(*parsed.options, backend, events, stop);
    return run.run();
  } catch (const std::exception& e) {
    events.emit({{"event", "error"}, {"message", std::string("internal error: ") + e.what()}});
    return kExitInternal;
  }
}

}  // namespace wireproof::peers
