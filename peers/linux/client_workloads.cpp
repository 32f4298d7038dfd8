// The client's side of each TCP workload (peers/CONTRACT.md "TCP").
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "peers/common/echo_client.hpp"
#include "peers/common/errno_names.hpp"
#include "peers/linux/session.hpp"
#include "peers/linux/tcp_info_sampler.hpp"

namespace wireproof::peers::linux_tcp {
namespace {

constexpr std::uint8_t kUrgentByte = 0x21;  // '!': not a value the pattern's records need to avoid

// Writes the pattern while reading the echo, so neither side's buffers can
// fill and deadlock the pair; silence ends it only before the first echo.
Io echo_exchange(Session& s, TcpConn& c, PatternWriter& w, StreamTally& echoed) {
  const std::uint64_t expect = s.plan().stream_bytes();
  const auto idle_by = s.idle_deadline();
  std::vector<std::uint8_t> buf(65536);
  while (!(w.done() && echoed.bytes >= expect)) {
    const short want = static_cast<short>(POLLIN | (w.done() ? 0 : POLLOUT));
    auto r = c.wait(want, echoed.bytes == 0 ? std::optional(idle_by) : std::nullopt);
    if (r.stopped) return {.kind = Io::Kind::stopped, .call = "recv"};
    if (r.timed_out) return {.kind = Io::Kind::timeout, .call = "recv"};
    if (r.revents & (POLLIN | POLLERR | POLLHUP)) {
      Io io = c.recv_some(buf);
      if (!io.ok()) return io;
      echoed.add(std::span<const std::uint8_t>(buf).first(io.bytes));
    } else if (r.revents & POLLOUT) {
      auto piece = w.pending();
      Io io = c.send_some(piece);
      if (!io.ok()) return io;
      w.advance(io.bytes);
    }
  }
  return {.call = "recv"};
}

// Our FIN after everything written, then the peer's: eof is the expected end.
Io fin_then_await_fin(TcpConn& c) {
  Io io = c.shutdown_write();
  if (io.ok()) io = c.drain_to_eof();
  return io.kind == Io::Kind::eof ? Io{.call = "recv"} : io;
}

nlohmann::json sent_fields(Session& s, const PatternWriter& w) {
  return {{"chunks", s.plan().count()},
          {"bytes", s.plan().echo_bytes},
          {"stream_bytes", s.plan().stream_bytes()},
          {"sent_bytes", w.sent().bytes},
          {"sent_sha256", w.sent().hash.hex()}};
}

// The echo (and half-close) report; true when every byte came back as sent.
bool report_echo(Session& s, const PatternWriter& w, const StreamTally& echoed, const End& ended,
                 nlohmann::json extra = nlohmann::json::object()) {
  auto r = s.app_data("client");
  r.update(sent_fields(s, w));
  r["echoed_bytes"] = echoed.bytes;
  r["echoed_sha256"] = echoed.hash.hex();
  r.update(extra);
  const bool verified = w.done() && echoed.bytes == s.plan().stream_bytes() && echoed.hash.hex() == w.sent().hash.hex();
  if (!verified) {
    r["incomplete"] = true;
    r["incomplete_reason"] = std::to_string(echoed.bytes) + " of " + std::to_string(s.plan().stream_bytes()) +
                             " bytes echoed" + (ended.reason.empty() ? "" : "; ended by " + workload_ended_by(ended.reason));
  }
  s.events.emit(r);
  return verified;
}

End echo_once(Session& s, TcpConn& c, nlohmann::json extra = nlohmann::json::object()) {
  PatternWriter w(s.plan());
  StreamTally echoed;
  Io io = echo_exchange(s, c, w, echoed);
  End end = s.ended(io, "done");
  s.tcp_info(c, "after_workload");
  const bool verified = report_echo(s, w, echoed, io.ok() ? End{} : end, extra);
  if (io.ok() && !verified) end.exit_code = kExitWorkload;
  return end;
}

// bulk and stall: N bytes one way, our FIN, then the server's FIN (so the
// after_workload tcp_info sees everything acknowledged).
End one_way(Session& s, TcpConn& c) {
  PatternWriter w(s.plan());
  Io io = send_pattern(c, w);
  if (io.ok()) io = fin_then_await_fin(c);
  End end = s.ended(io, "done");
  s.tcp_info(c, "after_workload");
  auto r = s.app_data("client");
  r.update(sent_fields(s, w));
  if (!w.done()) r["incomplete"] = true;
  s.events.emit(r);
  return end;
}

End half_close(Session& s, TcpConn& c) {
  PatternWriter w(s.plan());
  StreamTally echoed;
  Io io = send_pattern(c, w);
  if (io.ok()) io = c.shutdown_write();
  if (io.ok()) {
    s.events.emit({{"event", "shutdown"}, {"how", "write"}, {"sent_bytes", w.sent().bytes}});
    io = read_to_eof(c, echoed);  // the reply comes after our FIN
  }
  End end = s.ended(io, "done");
  s.tcp_info(c, "after_workload");
  if (!report_echo(s, w, echoed, io.ok() ? End{} : end) && io.ok()) end.exit_code = kExitWorkload;
  return end;
}

// abort-unread and linger-abort: the server ends the connection with a RST;
// what this side sees (ECONNRESET, or a FIN from a stack that does not reset)
// is reported, not judged: the checks judge it.
End expect_reset(Session& s, TcpConn& c) {
  PatternWriter w(s.plan());
  Io io = send_pattern(c, w);
  if (io.ok()) io = c.drain_to_eof();
  End end;
  if (io.kind == Io::Kind::error) {
    s.error(io);
    end = {io.err == ECONNRESET || io.err == EPIPE ? "rst" : "error", kExitOk};
  } else if (io.kind == Io::Kind::eof) {
    end = {"fin", kExitOk};
  } else {
    end = s.end_from(io);
  }
  s.tcp_info(c, "after_workload");
  auto r = s.app_data("client");
  r.update(sent_fields(s, w));
  r["ended_by"] = end.reason;
  s.events.emit(r);
  return end;
}

// Half the records, one urgent byte (MSG_OOB), the rest; then our FIN and the server's.
End urgent(Session& s, TcpConn& c) {
  const auto half = s.plan().count() / 2;
  PatternWriter first(s.plan(), 0, half), second(s.plan(), half);
  StreamTally wire, inband;
  Io io = send_pattern(c, first, {&wire, &inband});
  const std::uint64_t urgent_offset = wire.bytes;
  if (io.ok()) {
    const std::uint8_t b = kUrgentByte;
    io = c.send_all(std::span(&b, 1), MSG_OOB);
    if (io.ok()) wire.add(std::span(&b, 1));
  }
  if (io.ok()) io = send_pattern(c, second, {&wire, &inband});
  if (io.ok()) io = fin_then_await_fin(c);
  End end = s.ended(io, "done");
  s.tcp_info(c, "after_workload");
  auto r = s.app_data("client");
  r.update({{"chunks", s.plan().count()},
            {"bytes", s.plan().echo_bytes},
            {"stream_bytes", s.plan().stream_bytes()},
            {"sent_bytes", wire.bytes},
            {"sent_sha256", wire.hash.hex()},
            {"inband_sha256", inband.hash.hex()},
            {"urgent_byte", kUrgentByte},
            {"urgent_offset", urgent_offset}});
  s.events.emit(r);
  return end;
}

End reconnect(Session& s) {
  End failed;
  Io outcome;
  auto first = s.connect(true, failed, &outcome);
  s.events.emit({{"event", "connect_attempt"}, {"connection", 1}, {"attempt", 1},
                 {"result", first ? "connected" : outcome.kind == Io::Kind::error ? errno_name(outcome.err) : "timeout"}});
  if (!first) return failed;
  End end = echo_once(s, *first, {{"connection", 1}});
  first.reset();  // close: the server restarts once it sees our FIN
  if (end.reason != "done" || end.exit_code != kExitOk) return end;
  for (int attempt = 1; attempt <= kReconnectTries; ++attempt) {
    auto second = s.connect(false, failed, &outcome);
    const bool refused = !second && outcome.kind == Io::Kind::error && outcome.err == ECONNREFUSED;
    s.events.emit({{"event", "connect_attempt"}, {"connection", 2}, {"attempt", attempt},
                   {"result", second ? "connected" : outcome.kind == Io::Kind::error ? errno_name(outcome.err)
                                                                                      : "timeout"}});
    if (second) return echo_once(s, *second, {{"connection", 2}});
    if (!refused) {
      if (outcome.kind == Io::Kind::error) s.error(outcome);
      return failed;
    }
    if (!s.pause(kReconnectPauseMs)) return {"stopped", kExitOk};
  }
  s.error(outcome, {{"message", "connect: still refused after " + std::to_string(kReconnectTries) + " attempts"}});
  return {"error", kExitHandshake};
}

}  // namespace

End run_client_workload(Session& s) {
  if (s.opts.workload == TcpWorkload::reconnect) return reconnect(s);
  End failed;
  auto conn = s.connect(true, failed);
  if (!conn) return failed;
  TcpConn& c = *conn;
  const TcpInfoSampler sampler(c.fd(), s.events);  // stops before `conn` closes
  switch (s.opts.workload) {
    case TcpWorkload::echo: return echo_once(s, c);
    case TcpWorkload::bulk:
    case TcpWorkload::stall: return one_way(s, c);
    case TcpWorkload::keepalive: return keepalive_idle(s, c);
    case TcpWorkload::urgent: return urgent(s, c);
    case TcpWorkload::half_close: return half_close(s, c);
    case TcpWorkload::abort_unread:
    case TcpWorkload::linger_abort: return expect_reset(s, c);
    case TcpWorkload::reconnect: break;
  }
  return {"error", kExitInternal};
}

}  // namespace wireproof::peers::linux_tcp
