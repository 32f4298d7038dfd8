// Kernel TCP sockets for the contract shim: listen / connect / accept on IPv4
// or IPv6 literals, and reads and writes that always also watch the stop
// signal (SIGTERM, peers/CONTRACT.md "Ending") and an optional deadline.
//
// Two socket modes, as the contract's --nonblocking asks:
//   - blocking (default): the kernel blocks in send()/recv(). recv() is only
//     called after poll() said the socket is readable, and SO_SNDTIMEO cuts a
//     blocking send() into 100 ms slices, so a stop request is seen within
//     100 ms however long the peer's window stays closed;
//   - non-blocking: O_NONBLOCK, every call after poll() said it can proceed.
// connect() is non-blocking plus poll in both modes (a blocking connect cannot
// be bounded by --handshake-timeout-ms nor stopped); the socket switches to
// blocking once connected. On the wire the two modes are the same kernel TCP.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

#include "harness/wire/unique_fd.hpp"
#include "peers/common/options.hpp"
#include "peers/common/stop_signal.hpp"

namespace wireproof::peers::linux_tcp {

using Clock = std::chrono::steady_clock;
using wire::UniqueFd;

// What one socket call (or a wait for one) came to.
struct Io {
  enum class Kind { ok, eof, error, stopped, timeout };
  Kind kind = Kind::ok;
  std::size_t bytes = 0;
  int err = 0;       // errno, for Kind::error
  std::string call;  // "recv", "send", "connect", ... for the message

  bool ok() const { return kind == Kind::ok; }
};

// Throws std::system_error (call and errno) when a socket cannot be set up.
struct SocketSetupError : std::runtime_error {
  SocketSetupError(const std::string& what, int err) : std::runtime_error(what), err(err) {}
  int err;
};

// True for an IPv4 or IPv6 literal (the harness never passes host names).
bool is_ip_literal(const std::string& host);

// "198.18.0.1:40000" or "[2001:db8::1]:40000".
std::string endpoint_text(const sockaddr_storage& a);

class TcpConn {
 public:
  TcpConn(UniqueFd fd, bool nonblocking, StopSignal& stop);

  int fd() const { return fd_.get(); }
  std::string local() const;
  std::string remote() const;

  struct Ready {
    short revents = 0;
    bool stopped = false;
    bool timed_out = false;
  };
  // Waits for `events` on the socket, a stop request, or `deadline`.
  Ready wait(short events, std::optional<Clock::time_point> deadline = std::nullopt);
  // One recv() once the socket is readable; eof when the peer's FIN is reached.
  Io recv_some(std::span<std::uint8_t> buf, std::optional<Clock::time_point> deadline = std::nullopt, int flags = 0);
  // One send() once the socket is writable (may send part).
  Io send_some(std::span<const std::uint8_t> data, int flags = 0);
  // Sends everything, waiting as long as the peer's window needs (stop ends it).
  Io send_all(std::span<const std::uint8_t> data, int flags = 0);
  // shutdown(SHUT_WR): our FIN after everything written.
  Io shutdown_write();
  // Reads and discards until the peer's FIN (or an error / stop).
  Io drain_to_eof();

 private:
  UniqueFd fd_;
  bool nonblocking_;
  StopSignal& stop_;
};

class TcpListener {
 public:
  // socket, SO_REUSEADDR, bind, listen; throws SocketSetupError.
  explicit TcpListener(const HostPort& at);
  std::uint16_t port() const;
  void close() { fd_.reset(); }
  // Waits for one connection (stop or deadline end the wait).
  std::optional<TcpConn> accept(bool nonblocking, StopSignal& stop, Clock::time_point deadline, Io& outcome);

 private:
  UniqueFd fd_;
};

// A socket bound to the wildcard of `to`'s family, port 0, so its local port
// can be reported in "ready" before connecting (peers/CONTRACT.md "TCP").
struct PendingConnect {
  UniqueFd fd;
  sockaddr_storage to{};
  socklen_t to_len = 0;
  std::uint16_t local_port = 0;
};
PendingConnect prepare_connect(const HostPort& to);  // throws SocketSetupError
// Connects within `deadline`; the connection, or nullopt and why in `outcome`.
std::optional<TcpConn> finish_connect(PendingConnect p, bool nonblocking, StopSignal& stop,
                                      Clock::time_point deadline, Io& outcome);

}  // namespace wireproof::peers::linux_tcp
