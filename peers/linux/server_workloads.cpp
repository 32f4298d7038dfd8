// The server's side of each TCP workload (peers/CONTRACT.md "TCP").
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <set>

#include "peers/common/errno_names.hpp"
#include "peers/linux/session.hpp"
#include "peers/linux/tcp_info_sampler.hpp"

namespace wireproof::peers::linux_tcp {
namespace {


// Given the plan (--echo-bytes > 0), the received stream must be its records
// in order; without one there is nothing to compare against.
bool matches_plan(Session& s, const StreamTally& got) {
  if (s.opts.echo_bytes == 0) return true;
  return got.bytes == s.plan().stream_bytes() && got.hash.hex() == expected_digest(s.plan());
}

nlohmann::json received_fields(const StreamTally& got) {
  return {{"received_bytes", got.bytes}, {"received_sha256", got.hash.hex()}};
}

// The end of a workload that ran until the client's FIN (or failed first).
// `judged`: a mismatch fails the workload (exit 2); urgent only reports what was delivered.
End finish(Session& s, TcpConn& c, const Io& io, const StreamTally& got, nlohmann::json extra = nlohmann::json::object(),
           bool judged = true) {
  End end = s.ended(io, "fin");
  s.tcp_info(c, "after_workload");
  auto r = s.app_data("server");
  r.update(received_fields(got));
  r.update(extra);
  const bool verified = matches_plan(s, got);
  if (!verified) r["mismatch"] = true;
  s.events.emit(r);
  if (io.ok() && !verified && judged) end.exit_code = kExitWorkload;
  return end;
}

// Echoes every byte back as it arrives until the client's FIN.
End echo(Session& s, TcpConn& c, nlohmann::json extra = nlohmann::json::object()) {
  const auto idle_by = s.idle_deadline();
  StreamTally got;
  std::vector<std::uint8_t> buf(65536);
  Io io;
  for (;;) {
    io = c.recv_some(buf, got.bytes == 0 ? std::optional(idle_by) : std::nullopt);
    if (io.kind == Io::Kind::eof) {
      io = {.call = "recv"};
      break;
    }
    if (!io.ok()) break;
    auto piece = std::span<const std::uint8_t>(buf).first(io.bytes);
    got.add(piece);
    io = c.send_all(piece);
    if (!io.ok()) break;
  }
  return finish(s, c, io, got, extra);
}

// bulk and stall: count and digest until the client's FIN. stall first lets
// the receive buffer fill: once data waits, nothing is read for --stall-ms.
End sink(Session& s, TcpConn& c) {
  if (s.opts.workload == TcpWorkload::stall) {
    auto r = c.wait(POLLIN, s.idle_deadline());
    if (r.stopped) return {"stopped", kExitOk};
    if (r.timed_out) return s.end_from({.kind = Io::Kind::timeout, .call = "recv"});
    s.tcp_info(c, "before_stall");
    if (!s.pause(s.opts.stall_ms)) return {"stopped", kExitOk};
    s.tcp_info(c, "after_stall");
  }
  StreamTally got;
  Io io = read_to_eof(c, got, s.idle_deadline());
  return finish(s, c, io, got);
}

// Reads to the client's FIN, then replies with everything it sent and closes.
End half_close(Session& s, TcpConn& c) {
  StreamTally got;
  std::vector<std::uint8_t> kept;
  Io io = read_to_eof(c, got, s.idle_deadline(), &kept);
  if (io.ok()) {
    s.events.emit({{"event", "peer_fin"}, {"received_bytes", got.bytes}});
    io = c.send_all(kept);
  }
  End end = finish(s, c, io, got, {{"replied_bytes", io.ok() ? kept.size() : io.bytes}});
  if (end.reason == "fin") end.reason = "done";  // we close after replying
  return end;
}

// RFC 1122 4.2.2.13: closing with data unread must reset the connection.
End abort_unread(Session& s, TcpConn& c) {
  auto r = c.wait(POLLIN, s.idle_deadline());
  if (r.stopped) return {"stopped", kExitOk};
  if (r.timed_out) return s.end_from({.kind = Io::Kind::timeout, .call = "recv"});
  int unread = 0;
  ::ioctl(c.fd(), FIONREAD, &unread);
  s.tcp_info(c, "after_workload");
  auto report = s.app_data("server");
  report["unread_bytes"] = unread;
  s.events.emit(report);
  return {"done", kExitOk};  // the caller's close() is the workload
}

// Reads the whole stream (or what arrived, without a plan), then closes with
// SO_LINGER {on, 0}: an abortive close, a RST instead of a FIN.
End linger_abort(Session& s, TcpConn& c) {
  StreamTally got;
  std::vector<std::uint8_t> buf(65536);
  const std::uint64_t want = s.opts.echo_bytes == 0 ? 1 : s.plan().stream_bytes();
  Io io;
  while (got.bytes < want) {
    io = c.recv_some(buf, got.bytes == 0 ? std::optional(s.idle_deadline()) : std::nullopt);
    if (!io.ok()) break;
    got.add(std::span<const std::uint8_t>(buf).first(io.bytes));
  }
  if (io.kind != Io::Kind::ok && io.kind != Io::Kind::eof) return finish(s, c, io, got);
  linger lg{1, 0};
  ::setsockopt(c.fd(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  End end = finish(s, c, {.call = "recv"}, got);
  end.reason = "done";
  return end;
}

// Reads to the client's FIN with SO_OOBINLINE off, taking the urgent byte out
// of band when the kernel signals it (POLLPRI) and noting where the urgent
// mark was (SIOCATMARK): what this stack delivers, in band and out.
End urgent(Session& s, TcpConn& c) {
  StreamTally inband;
  nlohmann::json oob = nlohmann::json::array();
  std::set<std::uint64_t> marks;
  std::vector<std::uint8_t> buf(65536);
  const auto idle_by = s.idle_deadline();
  Io io;
  for (;;) {
    auto r = c.wait(POLLIN | POLLPRI, inband.bytes == 0 ? std::optional(idle_by) : std::nullopt);
    if (r.stopped || r.timed_out) {
      io = {.kind = r.stopped ? Io::Kind::stopped : Io::Kind::timeout, .call = "recv"};
      break;
    }
    int at_mark = 0;
    if (::ioctl(c.fd(), SIOCATMARK, &at_mark) == 0 && at_mark) marks.insert(inband.bytes);
    if (r.revents & POLLPRI) {
      std::uint8_t b = 0;
      if (::recv(c.fd(), &b, 1, MSG_OOB | MSG_DONTWAIT) == 1)
        oob.push_back({{"byte", b}, {"read_after_inband_bytes", inband.bytes}});
    }
    if (!(r.revents & (POLLIN | POLLERR | POLLHUP))) continue;
    io = c.recv_some(buf);
    if (io.kind == Io::Kind::eof) {
      io = {.call = "recv"};
      break;
    }
    if (!io.ok()) break;
    inband.add(std::span<const std::uint8_t>(buf).first(io.bytes));
  }
  // In band, a stack with SO_OOBINLINE off should deliver exactly the records; reported, not judged here.
  return finish(s, c, io, inband, {{"oob", oob}, {"marks", marks}}, false);
}

End reconnect(Session& s, TcpListener& listener) {
  End failed;
  auto first = s.accept(listener, failed);
  if (!first) return failed;
  // The server stops listening as soon as it has its connection, so a client
  // that reconnects before the restart below is refused, never queued in a
  // backlog that is about to be closed (which would reset it instead).
  const HostPort again{s.opts.listen.host, listener.port()};
  listener.close();
  End end = echo(s, *first, {{"connection", 1}});
  first.reset();
  if (end.reason != "fin" || end.exit_code != kExitOk) return end;
  // The restart: nobody listens for a while (a SYN now is refused), then the same port again.
  s.events.emit({{"event", "restart"}, {"down_ms", kRestartDownMs}});
  if (!s.pause(kRestartDownMs)) return {"stopped", kExitOk};
  TcpListener second_listener(again);
  s.events.emit({{"event", "ready"}, {"port", second_listener.port()}});
  auto second = s.accept(second_listener, failed);
  if (!second) return failed;
  return echo(s, *second, {{"connection", 2}});
}

}  // namespace

End run_server_workload(Session& s, TcpListener& listener) {
  if (s.opts.workload == TcpWorkload::reconnect) return reconnect(s, listener);
  End failed;
  auto conn = s.accept(listener, failed);
  if (!conn) return failed;
  TcpConn& c = *conn;
  const TcpInfoSampler sampler(c.fd(), s.events);  // stops before `conn` closes
  switch (s.opts.workload) {
    case TcpWorkload::echo: return echo(s, c);
    case TcpWorkload::bulk:
    case TcpWorkload::stall: return sink(s, c);
    case TcpWorkload::keepalive: return keepalive_idle(s, c);
    case TcpWorkload::urgent: return urgent(s, c);
    case TcpWorkload::half_close: return half_close(s, c);
    case TcpWorkload::abort_unread: return abort_unread(s, c);
    case TcpWorkload::linger_abort: return linger_abort(s, c);
    case TcpWorkload::reconnect: break;
  }
  return {"error", kExitInternal};
}

}  // namespace wireproof::peers::linux_tcp
