#include "peers/lwip/session.hpp"

#include <arpa/inet.h>
#include <poll.h>

#include <lwip/ip.h>
#include <lwip/tcp.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <cmath>
#include <optional>
#include <string>

#include "peers/common/echo_chunks.hpp"
#include "peers/common/echo_server.hpp"
#include "peers/common/peer_ending.hpp"
#include "peers/common/sha256.hpp"
#include "peers/lwip/lwip_stack.hpp"
#include "peers/common/stream_records.hpp"
#include "peers/lwip/tcp_connection.hpp"
#include "peers/lwip/tcp_report.hpp"

namespace wireproof::peers::lwip {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// How one connection's part ended: the `closed` reason and the exit code.
// The last one is reported (closed) and returned; reconnect runs two.
struct Ending {
  std::string reason;
  int code;
};

std::int64_t ms_until(Clock::time_point t) {
  return std::max<std::int64_t>(0, std::chrono::ceil<std::chrono::milliseconds>(t - Clock::now()).count());
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// "198.18.0.1:40000", "[2001:db8::1]:40000": inet_ntop's RFC 5952 text (lwIP's
// own ip6addr_ntoa writes hex digits in upper case).
std::string endpoint(const ip_addr_t& addr, u16_t port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (IP_IS_V6_VAL(addr)) {
    ::inet_ntop(AF_INET6, ip_2_ip6(&addr)->addr, text, sizeof text);
    return "[" + std::string(text) + "]:" + std::to_string(port);
  }
  ::inet_ntop(AF_INET, &ip_2_ip4(&addr)->addr, text, sizeof text);
  return std::string(text) + ":" + std::to_string(port);
}

// The client's side of the data: what it wrote, and the echo it read back,
// as the DTLS echo client reports them (peers/common/echo_client.hpp).
class ClientTally {
 public:
  explicit ClientTally(ChunkPlan plan) : plan_(plan) {}
  void sent(const std::vector<std::uint8_t>& record) { sent_.update(record); }
  void echoed(std::span<const std::uint8_t> record) {
    auto index = chunk_index(record);
    if (!index || *index >= plan_.count())
      ++malformed_;
    else if (!echoed_.add(*index, record))
      ++duplicates_;
  }
  bool complete() const { return echoed_.unique() == plan_.count(); }
  bool verified() const { return complete() && malformed_ == 0 && echoed_.hex() == sent_.hex(); }

  json report(TcpWorkload w, bool expects_echo, std::uint64_t acked, const std::string& ended_by) const {
    json r = {{"event", "app_data"},       {"role", "client"},
              {"workload", tcp_workload_name(w)}, {"chunks", plan_.count()},
              {"bytes", plan_.echo_bytes}, {"resent", 0},
              {"sent_sha256", sent_.hex()}, {"acked_bytes", acked}};
    if (expects_echo) {
      r["echoed_sha256"] = echoed_.hex();
      r["echoed_chunks"] = echoed_.unique();
      r["duplicates"] = duplicates_;
      r["malformed"] = malformed_;
      if (!complete()) {
        r["incomplete"] = true;
        r["incomplete_reason"] = std::to_string(echoed_.unique()) + " of " + std::to_string(plan_.count()) +
                                 " chunks echoed" + (ended_by.empty() ? "" : "; ended by " + ended_by);
      }
    }
    if (!ended_by.empty()) r["ended_by"] = ended_by;
    return r;
  }

 private:
  ChunkPlan plan_;
  Sha256 sent_;
  OrderedDigest echoed_;
  std::uint64_t duplicates_ = 0, malformed_ = 0;
};

class Session {
 public:
  Session(const TcpPeerOptions& o, const Endpoints& e, const PacketNetif& netif, EventEmitter& events,
          StopSignal& stop)
      : o_(o), ends_(e), netif_(netif), events_(events), stop_(stop), conn_(std::make_unique<Connection>(wakeup_)), plan_{o.echo_bytes, o.chunk} {}

  int run() { return o_.role == Role::client ? run_client() : run_server(); }

 private:
  // Sleeps until lwIP or a signal wakes us, at most timeout_ms (-1: no limit).
  void wait(std::int64_t timeout_ms) {
    pollfd fds[2] = {{wakeup_.fd(), POLLIN, 0}, {stop_.fd(), POLLIN, 0}};
    ::poll(fds, 2, static_cast<int>(std::min<std::int64_t>(timeout_ms < 0 ? 1000 : timeout_ms, 1000)));
    wakeup_.drain();
  }

  // Sleeps ms while lwIP runs; false when a stop signal came first.
  bool pause(int ms) {
    const auto until = Clock::now() + std::chrono::milliseconds(ms);
    while (Clock::now() < until) {
      if (stop_.requested()) return false;
      wait(ms_until(until));
    }
    return !stop_.requested();
  }

  int end(const Ending& e) {
    events_.emit({{"event", "closed"}, {"reason", e.reason}});
    return e.code;
  }
  int end(const std::string& reason, int code) { return end(Ending{reason, code}); }

  // What the wire asks of lwIP that it cannot do, seen from its own packets
  // (too_big_watch.hpp); core lock held. The contract's 127 with what.
  std::optional<std::string> cannot_do() const { return netif_.ignored_too_big(); }
  Ending unsupported(const std::string& what) {
    emit_tcp_state("unsupported");
    events_.emit({{"event", "error"}, {"message", "unsupported: " + what}});
    return {"error", kExitUnsupported};
  }

  void emit_error(err_t err, bool established, const std::string& what, json extra = json::object()) {
    json e = {{"event", "error"},
              {"errno", errno_name(err, established)},
              {"lwip_err", lwip_err_name(err)},
              {"message", what + ": " + lwip_err_name(err)}};
    e.update(extra);
    events_.emit(e);
  }

  // What the stack holds at `when`: lwIP's own view ({"event":"tcp_state",
  // "when":..., fields}), then the contract's tcp_info (tcp_report.hpp).
  void emit_tcp_state(const std::string& when) {
    if (conn_->pcb() == nullptr) return;
    json e = tcp_state(*conn_->pcb());
    e["event"] = "tcp_state";
    e["when"] = when;
    events_.emit(e);
    emit_tcp_info(when);
  }
  void emit_tcp_info(const std::string& when) {
    json e = tcp_info(*conn_->pcb());
    e["event"] = "tcp_info";
    e["when"] = when;
    events_.emit(e);
    reported_rto_ = conn_->pcb()->rto;
  }
  // A tcp_info "rto_changed" once the pcb's RTO differs from the last one
  // reported, so a check comparing a retransmission with the RTO the stack
  // held reads the current value, not the connected one. lwIP changes rto on
  // an ACK with an RTT sample or of retransmitted data (tcp_in.c) and on a
  // timeout's back-off (tcp_slowtmr); an ACK of data wakes us (tcp_sent), and
  // wait() wakes at least once a second. Core lock held.
  void report_rto_change() {
    if (conn_->pcb() != nullptr && reported_rto_ && conn_->pcb()->rto != *reported_rto_) emit_tcp_info("rto_changed");
  }

  void emit_connected(Clock::time_point since) {
    const tcp_pcb& pcb = *conn_->pcb();
    events_.emit({{"event", "connected"},
                  {"local", endpoint(pcb.local_ip, pcb.local_port)},
                  {"remote", endpoint(pcb.remote_ip, pcb.remote_port)},
                  {"time_ms", std::round(ms_between(since, Clock::now()) * 10) / 10},
                  {"tcp_state", tcp_state(pcb)},
                  {"tcp_info", tcp_info(pcb)}});
    emit_tcp_state("connected");
  }

  int run_client();
  int run_server();
  // Connects a fresh pcb: nullopt once connected, else how it ended (events
  // emitted). With `refused`, a RST answering the SYN is the caller's to
  // report (reconnect's connect_attempt) and sets it.
  std::optional<Ending> connect_client(bool announce, bool* refused = nullptr);
  // Listens on `port` (0: any), announces ready, accepts one connection and
  // stops listening (later SYNs are refused): nullopt once accepted.
  std::optional<Ending> accept_one(std::uint16_t port, std::uint16_t* bound_port = nullptr);
  int client_reconnect();
  int server_restart();
  Ending client_workload(const json& tag = json::object());
  Ending server_workload(const json& tag = json::object());

  const TcpPeerOptions& o_;
  const Endpoints& ends_;
  const PacketNetif& netif_;
  EventEmitter& events_;
  StopSignal& stop_;
  Wakeup wakeup_;
  std::unique_ptr<Connection> conn_;  // a fresh one for each connection (reconnect)
  std::optional<s16_t> reported_rto_;  // pcb->rto in the last tcp_info (report_rto_change)
  ChunkPlan plan_;
};

int Session::run_client() {
  if (o_.workload == TcpWorkload::reconnect) return client_reconnect();
  if (auto failed = connect_client(true)) return end(*failed);
  return end(client_workload());
}

std::optional<Ending> Session::connect_client(bool announce, bool* refused) {
  Clock::time_point started;
  {
    CoreLock lock;
    conn_ = std::make_unique<Connection>(wakeup_);
    if (err_t e = conn_->bind_local(ends_.local); e != ERR_OK) {
      emit_error(e, false, "tcp_bind " + endpoint(ends_.local, 0));
      return Ending{"error", kExitHandshake};
    }
    if (announce) events_.emit({{"event", "ready"}, {"port", conn_->pcb()->local_port}});
    started = Clock::now();
    if (err_t e = conn_->connect(ends_.remote, o_.connect.port); e != ERR_OK) {
      emit_error(e, false, "tcp_connect " + endpoint(ends_.remote, o_.connect.port));
      return Ending{"error", kExitHandshake};
    }
  }
  const auto deadline = started + std::chrono::milliseconds(o_.handshake_timeout_ms);
  for (;;) {
    {
      CoreLock lock;
      if (conn_->established() && conn_->pcb() != nullptr) {
        emit_connected(started);
        return std::nullopt;
      }
      if (auto e = conn_->error()) {
        if (refused && *e == ERR_RST)
          *refused = true;  // the caller reports it
        else
          emit_error(*e, false, "connect " + endpoint(ends_.remote, o_.connect.port));
        return Ending{"error", kExitHandshake};
      }
      if (stop_.requested()) {
        conn_->abort();
        events_.emit({{"event", "error"}, {"message", "stopped by SIGTERM before the connection was established"}});
        return Ending{"stopped", kExitHandshake};
      }
      if (Clock::now() >= deadline) {
        conn_->abort();
        events_.emit({{"event", "error"},
                      {"message", "no connection within --handshake-timeout-ms " + std::to_string(o_.handshake_timeout_ms)}});
        return Ending{"idle", kExitHandshake};
      }
    }
    wait(ms_until(deadline));
  }
}

// reconnect (peers/CONTRACT.md "TCP"): echo, close, then connect again while
// the restarted server refuses (kReconnectTries, kReconnectPauseMs apart), echo.
int Session::client_reconnect() {
  const auto not_connected = connect_client(true);
  events_.emit({{"event", "connect_attempt"}, {"connection", 1}, {"attempt", 1},
                {"result", not_connected ? not_connected->reason : "connected"}});
  if (not_connected) return end(*not_connected);
  const Ending first = client_workload({{"connection", 1}});
  if (first.reason != "done" || first.code != kExitOk) return end(first);
  for (int attempt = 1; attempt <= kReconnectTries; ++attempt) {
    bool refused = false;
    const auto failed = connect_client(false, &refused);
    json tried = {{"event", "connect_attempt"}, {"connection", 2}, {"attempt", attempt}};
    tried["result"] = !failed ? "connected" : refused ? "ECONNREFUSED" : failed->reason;
    events_.emit(tried);
    if (!failed) return end(client_workload({{"connection", 2}}));
    if (!refused) return end(*failed);
    if (!pause(kReconnectPauseMs)) return end("stopped", kExitOk);
  }
  events_.emit({{"event", "error"},
                {"errno", "ECONNREFUSED"},
                {"message", "connect: still refused after " + std::to_string(kReconnectTries) + " attempts"}});
  return end("error", kExitHandshake);
}

Ending Session::client_workload(const json& tag) {
  // reconnect's connections are echoes.
  const TcpWorkload w = o_.workload == TcpWorkload::reconnect ? TcpWorkload::echo : o_.workload;
  const bool expects_echo = w == TcpWorkload::echo || w == TcpWorkload::half_close;
  ClientTally tally(plan_);
  StreamRecords cutter(plan_);
  bool heard_back = false;
  std::optional<Clock::time_point> idle_deadline;
  if (expects_echo) idle_deadline = Clock::now() + std::chrono::milliseconds(o_.idle_timeout_ms);
  {
    CoreLock lock;
    if (w != TcpWorkload::keepalive)
      for (std::uint64_t i = 0; i < plan_.count(); ++i) {
        auto record = make_chunk(i, plan_.pattern_bytes(i));
        tally.sent(record);
        conn_->queue(record);
      }
    if (o_.keepalive) conn_->keepalive(o_.keepalive->idle_s, o_.keepalive->intvl_s, o_.keepalive->count);
  }
  const auto workload_start = Clock::now();
  const auto report = [&](const std::string& ended_by) {
    json r = tally.report(w, expects_echo, conn_->acked(), ended_by);
    r["workload"] = tcp_workload_name(o_.workload);
    r.update(tag);
    r["stream_bytes"] = plan_.stream_bytes();
    r["sent_bytes"] = conn_->written();
    if (expects_echo) r["echoed_bytes"] = conn_->received_total();
    if (w == TcpWorkload::keepalive) {
      r["received_bytes"] = conn_->received_total();
      r["idle_ms"] = std::round(ms_between(workload_start, Clock::now()));
    }
    events_.emit(r);
  };
  const auto finish_echo = [&] {
    for (const auto& r : cutter.feed(conn_->consume())) tally.echoed(r);
    if (auto rest = cutter.finish(); !rest.empty()) tally.echoed(rest);
  };
  for (;;) {
    {
      CoreLock lock;
      report_rto_change();
      conn_->pump_out();
      auto bytes = conn_->consume();
      if (!bytes.empty()) heard_back = true;
      for (const auto& r : cutter.feed(bytes)) tally.echoed(r);

      // When this side sends its FIN (or its RST).
      const bool everything_acked = conn_->all_written() && conn_->acked() == conn_->queued();
      switch (w) {
        case TcpWorkload::echo:
          // Every echo arrived, or as many bytes as were sent (TCP resends
          // nothing more: echoes that are wrong stay wrong).
          if (tally.complete() || conn_->received_total() >= plan_.stream_bytes()) conn_->shutdown_send();
          break;
        case TcpWorkload::half_close:
        case TcpWorkload::bulk:
        case TcpWorkload::stall:
          if (conn_->all_written()) conn_->shutdown_send();
          break;
        case TcpWorkload::linger_abort:
        case TcpWorkload::abort_unread:  // waits for the server's RST
        case TcpWorkload::keepalive:     // idles until lwIP gives up on the peer
        case TcpWorkload::urgent:        // server only: refused by parse_lwip_options (lwip_supports)
        case TcpWorkload::reconnect:
          break;
      }

      if (auto e = conn_->error()) {
        emit_error(*e, true, w == TcpWorkload::keepalive ? "keepalive" : "connection",
                   {{"after_ms", std::round(ms_between(workload_start, Clock::now()))}});
        finish_echo();
        report(*e == ERR_RST ? "rst" : "error");
        // What the stack did is the subject of these workloads, not a failure.
        const bool expected = w == TcpWorkload::abort_unread || w == TcpWorkload::linger_abort ||
                              (w == TcpWorkload::keepalive && *e == ERR_ABRT);
        return Ending{*e == ERR_RST ? "rst" : "error", expected ? kExitOk : kExitWorkload};
      }
      if (conn_->peer_fin()) {
        finish_echo();
        emit_tcp_state("after_workload");
        if (expects_echo) {
          const bool ok = tally.verified();
          report(ok ? "" : "the server's FIN");
          if (!ok) return Ending{"fin", kExitWorkload};
          if (w == TcpWorkload::echo || conn_->all_written()) return Ending{"done", kExitOk};
        } else {
          report("the server's FIN");
          const bool reported_only =
              w == TcpWorkload::keepalive || w == TcpWorkload::abort_unread || w == TcpWorkload::linger_abort;
          return Ending{reported_only ? "fin" : "done", reported_only || everything_acked ? kExitOk : kExitWorkload};
        }
      }
      if (auto what = cannot_do()) {
        report("unsupported: " + *what);
        return unsupported(*what);
      }
      if (stop_.requested()) {
        emit_tcp_state("stopped");
        report("stopped by SIGTERM");
        const bool ok = expects_echo ? tally.verified() : conn_->all_written() && conn_->acked() == conn_->queued();
        return Ending{"stopped", ok ? kExitOk : kExitWorkload};
      }
      if (idle_deadline && !heard_back && Clock::now() >= *idle_deadline) {
        report("idle: no echo within --idle-timeout-ms");
        conn_->abort();
        return Ending{"idle", kExitWorkload};
      }
    }
    wait(idle_deadline && !heard_back ? ms_until(*idle_deadline) : -1);
  }
}

int Session::run_server() {
  if (o_.workload == TcpWorkload::reconnect) return server_restart();
  if (auto failed = accept_one(o_.listen.port)) return end(*failed);
  return end(server_workload());
}

std::optional<Ending> Session::accept_one(std::uint16_t port, std::uint16_t* bound_port) {
  conn_ = std::make_unique<Connection>(wakeup_);
  Listener listener(wakeup_, *conn_);
  Clock::time_point ready_at;
  {
    CoreLock lock;
    if (err_t e = listener.listen(ends_.local, port); e != ERR_OK) {
      emit_error(e, false, "listen on " + endpoint(ends_.local, port));
      return Ending{"error", kExitHandshake};
    }
    if (bound_port) *bound_port = listener.port();
    events_.emit({{"event", "ready"}, {"port", listener.port()}});
    ready_at = Clock::now();
  }
  // As for the client's connect: --handshake-timeout-ms bounds the wait for a
  // connection (long enough for lwIP's own SYN retries, 3 s apart and more).
  const auto accept_deadline = ready_at + std::chrono::milliseconds(o_.handshake_timeout_ms);
  for (;;) {
    {
      CoreLock lock;
      if (listener.accepted()) {
        listener.close();
        if (conn_->pcb() != nullptr) emit_connected(ready_at);
        return std::nullopt;
      }
      if (stop_.requested()) {
        listener.close();
        return Ending{"stopped", kExitHandshake};
      }
      if (Clock::now() >= accept_deadline) {
        listener.close();
        events_.emit({{"event", "error"},
                      {"message", "no connection within --handshake-timeout-ms " + std::to_string(o_.handshake_timeout_ms)}});
        return Ending{"idle", kExitHandshake};
      }
    }
    wait(ms_until(accept_deadline));
  }
}

// reconnect (peers/CONTRACT.md "TCP"): accept (and stop listening), echo to the
// client's FIN; `restart`: nobody listens for kRestartDownMs (a SYN then meets
// lwIP's RST), then the same port again, accept, echo.
int Session::server_restart() {
  std::uint16_t port = 0;
  if (auto failed = accept_one(o_.listen.port, &port)) return end(*failed);
  const Ending first = server_workload({{"connection", 1}});
  if (first.reason != "fin" || first.code != kExitOk) return end(first);
  events_.emit({{"event", "restart"}, {"down_ms", kRestartDownMs}});
  if (!pause(kRestartDownMs)) return end("stopped", kExitOk);
  if (auto failed = accept_one(port)) return end(*failed);
  return end(server_workload({{"connection", 2}}));
}

Ending Session::server_workload(const json& tag) {
  const TcpWorkload w = o_.workload == TcpWorkload::reconnect ? TcpWorkload::echo : o_.workload;
  EchoServer tally(plan_);
  StreamRecords cutter(plan_);
  std::vector<std::uint8_t> held;  // half-close: the reply, sent after the client's FIN
  bool reply_queued = false;
  std::optional<Clock::time_point> first_data, stall_until;
  bool stall_over = false;
  Sha256 inband;  // urgent: every byte lwIP delivered, in order (the records' digest cannot hold an extra byte)
  if (o_.keepalive) {
    CoreLock lock;
    conn_->keepalive(o_.keepalive->idle_s, o_.keepalive->intvl_s, o_.keepalive->count);
  }
  const auto take = [&](const std::vector<std::uint8_t>& bytes) {
    for (const auto& r : cutter.feed(bytes)) tally.on_record(r);
  };
  const auto workload_start = Clock::now();
  const auto report = [&](const std::string& ended_by, std::size_t unread) {
    json r = tally.report();
    r["received_bytes"] = conn_->received_total();
    if (w == TcpWorkload::half_close) r["replied_bytes"] = reply_queued ? held.size() : 0;
    if (w == TcpWorkload::keepalive) r["idle_ms"] = std::round(ms_between(workload_start, Clock::now()));
    r["workload"] = tcp_workload_name(o_.workload);
    r.update(tag);
    if (w == TcpWorkload::abort_unread) r["unread_bytes"] = unread;
    if (w == TcpWorkload::urgent) {
      // lwIP's raw API tells the application nothing of urgent data: tcp_recv
      // hands over pbufs whose flags say PUSH or FIN only. So no out-of-band
      // read and no mark can happen; what lwIP delivered in band is the digest.
      r["received_sha256"] = inband.hex();
      r["oob"] = json::array();
      r["marks"] = json::array();
      r["urgent_api"] = "none: lwIP's raw API has no urgent notification (tcp_recv pbufs carry PUSH/FIN flags only)";
      for (const char* cut_into_records : {"records", "unique_chunks", "bytes", "duplicates", "malformed"}) r.erase(cut_into_records);
    }
    if (!ended_by.empty()) r["ended_by"] = ended_by;
    events_.emit(r);
  };
  const auto finish_stream = [&] {
    if (auto rest = cutter.finish(); !rest.empty()) {
      if (rest.size() < kChunkHeaderBytes)
        tally.on_malformed();
      else
        tally.on_record(rest);
    }
  };
  for (;;) {
    std::int64_t timeout = -1;
    {
      CoreLock lock;
      report_rto_change();
      if (conn_->unread() > 0 && !first_data) first_data = Clock::now();
      switch (w) {
        case TcpWorkload::echo: {
          auto bytes = conn_->consume();
          take(bytes);
          conn_->queue(bytes);
          break;
        }
        case TcpWorkload::half_close: {
          auto bytes = conn_->consume();
          take(bytes);
          held.insert(held.end(), bytes.begin(), bytes.end());
          break;
        }
        case TcpWorkload::stall:
          if (first_data && !stall_until) {
            stall_until = *first_data + std::chrono::milliseconds(o_.stall_ms);
            emit_tcp_state("before_stall");
          }
          if (stall_until && Clock::now() < *stall_until) {
            timeout = ms_until(*stall_until);
            break;
          }
          if (stall_until && !stall_over) {
            stall_over = true;
            emit_tcp_state("after_stall");
          }
          take(conn_->consume());
          break;
        case TcpWorkload::abort_unread:
          // Never reads: once data waits, closing with it unread is the workload.
          if (first_data) {
            const std::size_t unread = conn_->unread();
            emit_tcp_state("before_close");
            conn_->close();  // lwIP: RST, since received data was never tcp_recved
            report("close with unread data", unread);
            return Ending{"done", kExitOk};
          }
          break;
        case TcpWorkload::linger_abort:
          take(conn_->consume());
          if (conn_->received_total() >= plan_.stream_bytes()) {
            emit_tcp_state("before_abort");
            conn_->abort();  // SO_LINGER {1, 0}'s close: a RST now
            finish_stream();
            report("tcp_abort", 0);
            return Ending{"done", tally.verified() ? kExitOk : kExitWorkload};
          }
          break;
        case TcpWorkload::urgent: {
          const auto bytes = conn_->consume();
          inband.update(bytes);
          break;
        }
        case TcpWorkload::bulk:
        case TcpWorkload::keepalive:
        case TcpWorkload::reconnect:
          take(conn_->consume());
          break;
      }
      conn_->pump_out();

      if (auto e = conn_->error()) {
        emit_error(*e, true, w == TcpWorkload::keepalive ? "keepalive" : "connection",
                   {{"after_ms", std::round(ms_between(workload_start, Clock::now()))}});
        finish_stream();
        report(*e == ERR_RST ? "rst" : "error", conn_->unread());
        const bool expected = w == TcpWorkload::keepalive && *e == ERR_ABRT;
        return Ending{*e == ERR_RST ? "rst" : "error", expected ? kExitOk : kExitWorkload};
      }
      if (conn_->peer_fin() && conn_->unread() == 0) {
        if (w == TcpWorkload::half_close && !reply_queued) {
          conn_->queue(held);
          reply_queued = true;
          conn_->pump_out();
        }
        if (conn_->all_written() && conn_->pcb() != nullptr && conn_->pcb()->state == CLOSE_WAIT) {
          finish_stream();
          emit_tcp_state("after_workload");
          conn_->shutdown_send();
        }
      }
      if (conn_->closed_cleanly()) {
        report("", 0);
        // urgent: what lwIP delivered is reported, not judged (peers/CONTRACT.md).
        const bool ok = w == TcpWorkload::urgent || tally.verified();
        return Ending{w == TcpWorkload::half_close ? "done" : "fin", ok ? kExitOk : kExitWorkload};
      }
      if (auto what = cannot_do()) {
        report("unsupported: " + *what, conn_->unread());
        return unsupported(*what);
      }
      if (stop_.requested()) {
        emit_tcp_state("stopped");
        finish_stream();
        report("stopped by SIGTERM", conn_->unread());
        return Ending{"stopped", tally.verified() ? kExitOk : kExitWorkload};
      }
    }
    wait(timeout);
  }
}

}  // namespace

int run_session(const TcpPeerOptions& options, const Endpoints& endpoints, const PacketNetif& netif,
                EventEmitter& events, StopSignal& stop) {
  auto s = std::make_unique<Session>(options, endpoints, netif, events, stop);
  const int code = s->run();
  CoreLock lock;  // the connection detaches its callbacks from a pcb lwIP may still hold (TIME_WAIT)
  s.reset();
  return code;
}

}  // namespace wireproof::peers::lwip
