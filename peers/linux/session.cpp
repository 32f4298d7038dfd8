#include "peers/linux/session.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "peers/common/errno_names.hpp"
#include "peers/linux/tcp_info.hpp"

namespace wireproof::peers::linux_tcp {

void Session::tcp_info(const TcpConn& conn, const std::string& when) {
  nlohmann::json e = {{"event", "tcp_info"}, {"when", when}};
  e.update(tcp_info_fields(conn.fd()));
  events.emit(std::move(e));
}

void Session::connected(const TcpConn& conn, double time_ms) {
  events.emit({{"event", "connected"},
               {"local", conn.local()},
               {"remote", conn.remote()},
               {"time_ms", time_ms},
               {"tcp_info", tcp_info_fields(conn.fd())}});
  tcp_info(conn, "connected");
}

void Session::error(const Io& io, nlohmann::json extra) {
  nlohmann::json e = {{"event", "error"}};
  if (io.kind == Io::Kind::error) {
    e["errno"] = errno_name(io.err);
    e["message"] = io.call + ": " + std::strerror(io.err);
  } else if (io.kind == Io::Kind::timeout) {
    e["message"] = io.call + ": timed out";
  } else {
    e["message"] = io.call + ": unexpected end of stream";
  }
  e.update(extra);
  events.emit(std::move(e));
}

End Session::end_from(const Io& io, int failure_code) {
  switch (io.kind) {
    case Io::Kind::stopped: return {"stopped", kExitOk};
    case Io::Kind::timeout: return {"idle", failure_code};
    case Io::Kind::eof: return {"fin", failure_code};
    case Io::Kind::error:
      error(io);
      return {io.err == ECONNRESET || io.err == EPIPE ? "rst" : "error", failure_code};
    case Io::Kind::ok: break;
  }
  return {"done", kExitOk};
}

End Session::handshake_failed(const Io& io) {
  if (io.kind == Io::Kind::timeout) {
    events.emit({{"event", "error"},
                 {"message", io.call + ": not connected after --handshake-timeout-ms " +
                                 std::to_string(opts.handshake_timeout_ms)}});
    return {"idle", kExitHandshake};
  }
  return end_from(io, kExitHandshake);
}

End Session::ended(const Io& io, const char* reason_when_ok) {
  return io.ok() ? End{reason_when_ok, kExitOk} : end_from(io);
}

std::optional<TcpConn> Session::connect(bool announce, End& failed, Io* outcome) {
  PendingConnect p = prepare_connect(opts.connect);
  if (announce) events.emit({{"event", "ready"}, {"port", p.local_port}});
  const auto start = Clock::now();
  Io io;
  auto conn = finish_connect(std::move(p), opts.nonblocking, stop, handshake_deadline(), io);
  if (outcome) *outcome = io;
  if (conn) {
    connected(*conn, events.ms_at(Clock::now()) - events.ms_at(start));
    return conn;
  }
  // With `outcome`, the caller reports the attempt (reconnect's connect_attempt), so no error event here.
  failed = outcome && io.kind == Io::Kind::error ? End{"error", kExitHandshake} : handshake_failed(io);
  return std::nullopt;
}

std::optional<TcpConn> Session::accept(TcpListener& listener, End& failed) {
  const auto start = Clock::now();
  Io io;
  auto conn = listener.accept(opts.nonblocking, stop, handshake_deadline(), io);
  if (conn) {
    // The server cannot see the SYN from user space: time_ms runs from listening (or the previous connection) to accept.
    connected(*conn, events.ms_at(Clock::now()) - events.ms_at(start));
    return conn;
  }
  failed = handshake_failed(io);
  return std::nullopt;
}

PatternWriter::PatternWriter(ChunkPlan plan, std::uint64_t first, std::optional<std::uint64_t> end)
    : plan_(plan), next_(first), end_(end.value_or(plan.count())) {}

std::span<const std::uint8_t> PatternWriter::pending() {
  if (offset_ >= record_.size() && next_ < end_) {
    record_ = make_chunk(next_, plan_.pattern_bytes(next_));
    ++next_;
    offset_ = 0;
  }
  return std::span<const std::uint8_t>(record_).subspan(offset_);
}

void PatternWriter::advance(std::size_t n) {
  sent_.add(std::span<const std::uint8_t>(record_).subspan(offset_, n));
  offset_ += n;
}

}  // namespace wireproof::peers::linux_tcp

namespace wireproof::peers::linux_tcp {

bool Session::pause(int ms) {
  pollfd p{stop.fd(), POLLIN, 0};
  const auto until = Clock::now() + std::chrono::milliseconds(ms);
  for (;;) {
    if (stop.requested()) return false;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) return true;
    ::poll(&p, 1, static_cast<int>(left));
  }
}

nlohmann::json Session::app_data(const char* role) const {
  return {{"event", "app_data"}, {"role", role}, {"workload", tcp_workload_name(opts.workload)}};
}

Io send_pattern(TcpConn& c, PatternWriter& w, std::initializer_list<StreamTally*> also) {
  while (!w.done()) {
    auto piece = w.pending();
    if (piece.empty()) break;
    Io io = c.send_some(piece);
    if (!io.ok()) return io;
    for (auto* t : also) t->add(piece.first(io.bytes));
    w.advance(io.bytes);
  }
  return {.call = "send"};
}

Io read_to_eof(TcpConn& c, StreamTally& into, std::optional<Clock::time_point> first_byte_by,
               std::vector<std::uint8_t>* keep) {
  std::vector<std::uint8_t> buf(65536);
  for (;;) {
    Io io = c.recv_some(buf, into.bytes == 0 ? first_byte_by : std::nullopt);
    if (io.kind == Io::Kind::eof) return {.call = "recv"};
    if (!io.ok()) return io;
    auto got = std::span<const std::uint8_t>(buf).first(io.bytes);
    into.add(got);
    if (keep) keep->insert(keep->end(), got.begin(), got.end());
  }
}

void set_keepalive(const TcpConn& c, const Keepalive& k) {
  int one = 1;
  if (::setsockopt(c.fd(), SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) != 0 ||
      ::setsockopt(c.fd(), IPPROTO_TCP, TCP_KEEPIDLE, &k.idle_s, sizeof k.idle_s) != 0 ||
      ::setsockopt(c.fd(), IPPROTO_TCP, TCP_KEEPINTVL, &k.intvl_s, sizeof k.intvl_s) != 0 ||
      ::setsockopt(c.fd(), IPPROTO_TCP, TCP_KEEPCNT, &k.count, sizeof k.count) != 0)
    throw SocketSetupError(std::string("setsockopt(keepalive): ") + std::strerror(errno), errno);
}

End keepalive_idle(Session& s, TcpConn& c) {
  set_keepalive(c, *s.opts.keepalive);
  const auto idle_since = Clock::now();
  StreamTally received;
  Io io = read_to_eof(c, received);
  const double idle_ms = s.events.ms_at(Clock::now()) - s.events.ms_at(idle_since);
  s.tcp_info(c, "after_keepalive");
  auto report = s.app_data(s.opts.role == Role::client ? "client" : "server");
  report["received_bytes"] = received.bytes;
  report["idle_ms"] = idle_ms;
  s.events.emit(report);
  if (io.kind == Io::Kind::error && io.err == ETIMEDOUT) {
    // The workload's expected end: the kernel's keepalive gave up on the peer.
    s.error(io, {{"after_ms", idle_ms}});
    return {"error", kExitOk};
  }
  if (io.ok()) return {"fin", kExitOk};  // the peer closed first
  return s.end_from(io);
}

}  // namespace wireproof::peers::linux_tcp
