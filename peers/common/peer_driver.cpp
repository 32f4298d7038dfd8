#include "peers/common/peer_driver.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cmath>
#include <cstring>
#include <iostream>

#include "peers/common/peer_core.hpp"
#include "peers/common/plaintext_server.hpp"
#include "peers/common/stop_signal.hpp"
#include "peers/common/tcp_socket.hpp"

namespace wireproof::peers {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

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

// One wait of a real peer: until the socket is ready for what the core
// waits for, the library's timer, a stop request (SIGTERM) or the core's own
// deadline, whichever is first. A timer found due goes to the core, with
// whether a datagram is waiting too (PeerCore::on_timer_due).
void wait_step(PeerCore& core, DtlsSession& session, int fd, Clock::time_point started, int stop_fd) {
  auto wake = Clock::now() + milliseconds(60'000);  // poll's ceiling; nothing is due before input
  if (auto at = core.wake_at()) wake = std::min(wake, started + *at);
  auto timer = session.timer();
  const bool due_already = timer && timer->due;
  if (timer) wake = std::min(wake, timer->deadline);
  // Round up so a poll never wakes a hair before the deadline and spins; a due
  // timer only needs to know whether a datagram is waiting.
  auto timeout = due_already ? milliseconds(0) : std::chrono::ceil<milliseconds>(wake - Clock::now()) + milliseconds(1);
  const bool readable = wait_fd(fd, core.waiting_for(), timeout, stop_fd);
  if (!due_already) timer = session.timer();
  if (timer && timer->due) core.on_timer_due(*timer, readable);
}

class PeerRun {
 public:
  PeerRun(const PeerOptions& o, const Backend& b, EventEmitter& ev, StopSignal& stop)
      : opts_(o), backend_(b), events_(ev), stop_(stop), timer_events_(ev) {}

  int run() { return opts_.is_tls() ? run_tls() : run_dtls(); }

 private:
  using Micros = PeerCore::Micros;

  Micros since_start() const { return std::chrono::duration_cast<Micros>(Clock::now() - started_); }

  int run_dtls() {
    std::optional<UdpSocket> socket;
    std::unique_ptr<DtlsSession> session;
    try {
      socket.emplace(opts_.role == Role::server ? UdpSocket::bound(opts_.listen) : UdpSocket::connected(opts_.connect));
      session = backend_.make_session(opts_, *socket, events_);
    } catch (const SetupError& e) {
      return end_with_error(e.exit_code, e.what(), emit_);
    } catch (const SocketError& e) {
      return end_with_error(kExitInternal, e.what(), emit_);
    }
    events_.emit({{"event", "ready"}, {"port", socket->local_port()}});
    return drive(*session, socket->fd());
  }

  // TLS over TCP: one connection, or two one after the other with --resume
  // (peers/CONTRACT.md "TLS"). The endpoint outlives them (tickets, saved session).
  int run_tls() {
    if (!backend_.make_tls_endpoint) return end_with_error(kExitUnsupported, "--protocol " + opts_.protocol, emit_);
    std::unique_ptr<TlsEndpoint> endpoint;
    std::optional<TcpSocket> listener;
    try {
      if (!opts_.plaintext) endpoint = backend_.make_tls_endpoint(opts_, events_);  // --plaintext: no library at all
      if (opts_.role == Role::server) listener.emplace(TcpSocket::listening(opts_.listen));
    } catch (const SetupError& e) {
      return end_with_error(e.exit_code, e.what(), emit_);
    } catch (const SocketError& e) {
      return end_with_error(kExitInternal, e.what(), emit_);
    }
    if (listener) events_.emit({{"event", "ready"}, {"port", listener->local_port()}});
    const int connections = opts_.resume ? 2 : 1;
    for (int n = 1; n <= connections; ++n) {
      std::optional<TcpSocket> conn;
      try {
        conn = listener ? accept_one(*listener) : connect_one(n);
      } catch (const SocketError& e) {
        return end_with_error(kExitHandshake, e.what(), emit_);
      }
      if (!conn) return end_with_error(kExitHandshake, handshake_stopped(), emit_);
      events_.emit({{"event", "connected"},
                    {"local", conn->local_address()},
                    {"remote", conn->remote_address()},
                    {"connection", n},
                    {"time_ms", std::round(std::chrono::duration<double, std::milli>(since_start()).count() * 10) / 10}});
      if (opts_.plaintext) {
        PlaintextEnd end = serve_plaintext(conn->fd(), opts_.idle_timeout_ms, stop_.fd());
        linger_close(conn->fd());
        return end_plaintext(end, opts_.idle_timeout_ms, emit_);
      }
      std::unique_ptr<DtlsSession> session;
      try {
        session = endpoint->session_on(conn->fd(), n);
      } catch (const SetupError& e) {
        return end_with_error(e.exit_code, e.what(), emit_);
      }
      // Every ending lingers: our close_notify (sent by the core) is followed
      // by FIN, and the peer's close_notify and FIN are read before the
      // socket closes. Closing at once with them unread makes the kernel
      // answer them with a RST (RFC 9293 3.6 / RFC 1122 4.2.2.13), which
      // truncates the peer's close (graceful_close fails the pair).
      const int rc = drive(*session, conn->fd());
      linger_close(conn->fd());
      if (rc != kExitOk) return rc;
    }
    return kExitOk;
  }

  // Server: the next connection, waiting as long as it takes; nullopt on SIGTERM.
  std::optional<TcpSocket> accept_one(TcpSocket& listener) {
    for (;;) {
      if (auto c = listener.accept()) return c;
      if (stop_.requested()) return std::nullopt;
      wait_fd(listener.fd(), Progress::want_read, milliseconds(60'000), stop_.fd());
    }
  }

  // Client: a TCP connection within --handshake-timeout-ms; nullopt on SIGTERM. Throws SocketError.
  std::optional<TcpSocket> connect_one(int connection) {
    TcpSocket s = TcpSocket::connecting(opts_.connect);
    if (connection == 1) events_.emit({{"event", "ready"}, {"port", s.local_port()}});
    const auto deadline = Clock::now() + milliseconds(opts_.handshake_timeout_ms);
    const std::string to = opts_.connect.host + ":" + std::to_string(opts_.connect.port);
    for (;;) {
      auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now());
      if (left <= milliseconds(0))
        throw SocketError("connect to " + to + ": no answer within --handshake-timeout-ms " +
                          std::to_string(opts_.handshake_timeout_ms));
      if (wait_fd(s.fd(), Progress::want_write, left, stop_.fd())) {
        if (int err = s.connect_result(); err != 0) throw SocketError("connect to " + to + ": " + std::strerror(err));
        return s;
      }
      if (stop_.requested()) return std::nullopt;
    }
  }

  // After the connection's end (our close_notify or fatal alert sent): FIN,
  // then read and discard until the peer's FIN or a second passes. Closing
  // with the peer's bytes unread would send a RST: a peer that is still
  // writing then loses our alert to ECONNRESET before it reads it, and a
  // peer answering our close_notify with its own gets a reset instead.
  static void linger_close(int fd) {
    ::shutdown(fd, SHUT_WR);
    const auto until = Clock::now() + milliseconds(1000);
    char sink[4096];
    while (Clock::now() < until) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      ssize_t n = ::recv(fd, sink, sizeof sink, 0);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return;
    }
  }

  // One connection's life under PeerCore.
  int drive(DtlsSession& session, int fd) {
    const auto began = Clock::now();
    PeerCore core(core_config(opts_), session, timer_events_, emit_,
                  [began] { return std::chrono::duration_cast<Micros>(Clock::now() - began); });
    core.step();
    while (!core.exited()) {
      wait_step(core, session, fd, began, stop_.fd());
      if (stop_.requested()) core.request_stop();
      core.step();
    }
    return core.exit_code();
  }

  const PeerOptions& opts_;
  const Backend& backend_;
  EventEmitter& events_;
  const EmitEvent emit_ = [this](nlohmann::json e) { events_.emit(std::move(e)); };
  StopSignal& stop_;
  TimerEvents timer_events_;
  const Clock::time_point started_ = Clock::now();
};

}  // namespace

int run_peer(int argc, char** argv, const Backend& backend) {
  // A write to a connection the peer reset must fail with EPIPE (an error
  // event, the contract's ending), not kill the shim with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  EventEmitter events(std::cout);
  std::vector<std::string> args(argv + 1, argv + argc);
  ParseResult parsed = parse_peer_options(args, backend.identity, backend.capabilities);
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
