#include "peers/stock/session.hpp"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <iostream>
#include <optional>

#include "peers/common/echo_client.hpp"
#include "peers/common/echo_server.hpp"
#include "peers/common/framed_echo.hpp"
#include "peers/stock/cipher_names.hpp"
#include "peers/common/line_frame.hpp"
#include "peers/stock/tool_output.hpp"
#include "peers/stock/tool_process.hpp"
#include "peers/stock/proc_sockets.hpp"

namespace wireproof::stock {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using Kind = Observation::Kind;
using nlohmann::json;

constexpr int kServerStartAttempts = 5;
constexpr milliseconds kReadyLimit{10'000};      // a server tool that is not listening by then is broken
constexpr milliseconds kHandshakeInfoWait{200};  // version/cipher lines may follow the "done" line
constexpr milliseconds kExitGrace{2'000};        // for a tool to leave on its own after EOF/close_notify
constexpr milliseconds kErrorGrace{500};         // for a tool that reported an error to send its alert
constexpr milliseconds kCloseReply{500};         // for a tool to answer the peer's close_notify with its own
constexpr milliseconds kConnectedPoll{20};       // how often /proc is asked whether the TCP connection is up

std::int64_t ms(Clock::duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); }

class Session {
 public:
  Session(const SessionConfig& c, peers::EventEmitter& ev)
      : c_(c), ev_(ev), server_role_(c.opts.role == peers::Role::server),
        transport_(c.role.tcp ? Transport::tcp : Transport::udp), hs_parts_(c.role.handshake_done.size(), false) {
    // Stock tools only carry lines: sized exactly as a shim with --framing
    // lines sizes it, so mixed pairs agree.
    peers::PeerOptions lines = c.opts;
    lines.framing = peers::Framing::lines;
    peers::ChunkPlan plan = peers::workload_plan(lines);
    if (plan.chunk < c.opts.chunk)
      std::cerr << "wireproof-stock: --chunk " << c.opts.chunk << " reduced to " << plan.chunk
                << " pattern bytes so one framed line fits one record\n";
    if (server_role_)
      server_.emplace(plan);
    else
      client_.emplace(peers::EchoClient::Config{plan, peers::EchoClient::resend_after_ms(c.opts.timer_initial_ms)});
    plan_ = plan;
  }

  int run() {
    start_ = Clock::now();
    if (int rc = start_tool(); rc >= 0) return rc;
    const auto hs_deadline = start_ + milliseconds(c_.opts.handshake_timeout_ms);
    for (;;) {
      const auto now = Clock::now();
      if (transport_ == Transport::tcp && !connected_) check_connected();
      if (hs_seen_ && !hs_emitted_ && now - *hs_seen_ >= kHandshakeInfoWait) emit_handshake();
      if (!hs_emitted_ && now >= hs_deadline)
        return fail(exit_code::handshake,
                    "handshake not done within " + std::to_string(c_.opts.handshake_timeout_ms) + " ms");
      // Silence ends the workload only until app data has flowed (CONTRACT.md "Workload").
      if (hs_emitted_ && !heard_back() && now - last_rx_ >= milliseconds(c_.opts.idle_timeout_ms)) return finish("idle");
      if (client_ && hs_emitted_ && client_->complete()) return finish_client();
      if (client_ && hs_emitted_ && to_write_.empty())
        for (auto& rec : client_->records_to_send(ms(now - start_))) {
          to_write_.push_back(peers::encode_line(rec));
          // After the first half of the echo bytes (the contract's --key-update).
          if (c_.stdin_midway && !midway_written_ && 2 * ++records_sent_ >= plan_.count()) {
            to_write_.push_back(*c_.stdin_midway + "\n");
            midway_written_ = true;
          }
        }
      write_one_line();

      if (int rc = wait_and_read(next_wakeup(hs_deadline)); rc >= 0) return rc;
      if (failed_ && !fail_at_) fail_at_ = Clock::now();
      if (out_eof_ && err_eof_) return tool_exited(tool_->terminate(kExitGrace));
      // After an error the tool gets a moment to send its alert and leave on its own.
      if (fail_at_ && Clock::now() - *fail_at_ >= kErrorGrace)
        return fail(hs_emitted_ ? exit_code::workload : exit_code::handshake, "");
      if (closed_reason_ && !failed_) return finish(*closed_reason_);
    }
  }

 private:
  nlohmann::json ready_event(nlohmann::json ev) const {
    if (c_.timer_initial_ms_effective) ev["timer_initial_ms_effective"] = *c_.timer_initial_ms_effective;
    return ev;
  }

  // -1 when the tool runs (and, for a server, listens); else an exit code.
  int start_tool() {
    if (!server_role_) {
      if (int rc = spawn(0); rc >= 0) return rc;
      ev_.emit(ready_event({{"event", "ready"}}));
      return -1;
    }
    const bool pick = c_.opts.listen.port == 0;
    for (int attempt = 1; attempt <= kServerStartAttempts; ++attempt) {
      port_ = pick ? pick_free_port(transport_, c_.opts.listen.host) : c_.opts.listen.port;
      if (int rc = spawn(port_); rc >= 0) return rc;
      const auto limit = Clock::now() + kReadyLimit;
      while (!ready_) {
        if (!c_.role.ready && port_ready(port_, transport_)) ready_ = true;
        if (ready_) break;
        if (Clock::now() >= limit) return fail(exit_code::internal, "tool not listening after 10 s");
        if (int rc = wait_and_read(Clock::now() + milliseconds(20)); rc >= 0) return rc;
        if (out_eof_ && err_eof_) break;  // it exited: port taken, or a real failure
      }
      if (ready_) {
        ev_.emit(ready_event({{"event", "ready"}, {"port", port_}}));
        return -1;
      }
      const int status = tool_->terminate(milliseconds(100));
      std::cerr << "wireproof-stock: tool " << describe_status(status) << " before listening on port " << port_
                << (pick && attempt < kServerStartAttempts ? "; retrying with another port\n" : "\n");
      if (!pick) break;
    }
    return fail(exit_code::internal, "tool did not start listening (see stderr)");
  }

  int spawn(std::uint16_t port) {
    tool_.reset();
    out_lines_ = peers::LineSplitter(), err_lines_ = peers::LineSplitter();
    out_eof_ = err_eof_ = false;
    const auto argv = c_.argv_for_port(port);
    std::string shown;
    for (const auto& a : argv) shown += (shown.empty() ? "" : " ") + a;
    std::cerr << "wireproof-stock: running " << shown << "\n";
    try {
      tool_.emplace(argv, c_.env);
    } catch (const SpawnError& e) {
      return fail(exit_code::internal, e.what());
    }
    return -1;
  }

  Clock::time_point next_wakeup(Clock::time_point hs_deadline) const {
    auto t = Clock::now() + milliseconds(1000);
    if (!hs_emitted_) t = std::min(t, hs_deadline);
    if (hs_seen_ && !hs_emitted_) t = std::min(t, *hs_seen_ + kHandshakeInfoWait);
    if (hs_emitted_ && !heard_back()) t = std::min(t, last_rx_ + milliseconds(c_.opts.idle_timeout_ms));
    if (client_ && hs_emitted_)
      if (auto d = client_->next_deadline_ms()) t = std::min(t, start_ + milliseconds(*d));
    if (!to_write_.empty()) t = std::min(t, Clock::now() + milliseconds(1));  // pacing: poll the pipe
    if (fail_at_) t = std::min(t, *fail_at_ + kErrorGrace);
    if (transport_ == Transport::tcp && !connected_) t = std::min(t, Clock::now() + kConnectedPoll);
    return t;
  }

  // TCP: the tool's connection, once /proc lists it established (no tool prints
  // both addresses). Before the handshake's end, so `connected` precedes it:
  // at the handshake's end (`at_handshake`) it is reported in any case, without
  // addresses if the connection is already gone from /proc.
  void check_connected(bool at_handshake = false) {
    if (!tool_) return;
    auto conn = established_tcp(tool_->pid());
    if (!conn && !hs_seen_ && !at_handshake) return;
    connected_ = true;
    // Seen by polling: if the handshake's end came first, the connection was up by then.
    const auto seen = hs_seen_ ? std::min(*hs_seen_, Clock::now()) : Clock::now();
    json e = {{"event", "connected"}, {"connection", 1}, {"time_ms", ms(seen - start_)}};
    if (conn) {
      e["local"] = conn->local;
      e["remote"] = conn->remote;
    }
    ev_.emit(std::move(e));
  }

  // One line in the tool's stdin pipe at a time, so each read the tool makes
  // is one line and becomes one record (gnutls-cli refuses a record larger
  // than the MTU allows rather than splitting it).
  void write_one_line() {
    if (to_write_.empty() || !tool_ || tool_->stdin_fd() < 0 || tool_->stdin_pending() > 0) return;
    const std::string& line = to_write_.front();
    ssize_t n = ::write(tool_->stdin_fd(), line.data(), line.size());
    if (n == static_cast<ssize_t>(line.size()) || (n < 0 && errno == EPIPE)) to_write_.pop_front();
    // EAGAIN: try again on the next turn. A short write cannot happen below PIPE_BUF.
  }

  // Polls the tool's output and the signal fd until `until`; -1 to go on.
  int wait_and_read(Clock::time_point until) {
    pollfd fds[3] = {{tool_->stdout_fd(), POLLIN, 0}, {tool_->stderr_fd(), POLLIN, 0}, {c_.signal_fd, POLLIN, 0}};
    if (out_eof_) fds[0].fd = -1;
    if (err_eof_) fds[1].fd = -1;
    const int timeout = static_cast<int>(std::clamp<std::int64_t>(ms(until - Clock::now()) + 1, 0, 1000));
    if (::poll(fds, 3, timeout) < 0 && errno != EINTR) return fail(exit_code::internal, std::string("poll: ") + std::strerror(errno));
    if (fds[2].revents & POLLIN) {
      signalfd_siginfo si{};
      if (::read(c_.signal_fd, &si, sizeof si) < 0) si.ssi_signo = 0;
      if (app_data_reported_) return -1;  // already ending (finish_client): its report stands
      // The harness's "the run is over" (CONTRACT.md "Ending"): report what we have, then stop the tool.
      if (hs_emitted_) return finish("stopped");
      tool_->terminate(milliseconds(200));
      return fail(exit_code::handshake, "handshake did not complete: stopped by signal " + std::to_string(si.ssi_signo));
    }
    // stderr before stdout, whichever woke us: a tool writes its handshake
    // summary (version, cipher) to stderr before any data reaches stdout, and
    // data on stdout ends the wait for that summary (on_chunk).
    if ((fds[0].revents || fds[1].revents) && !err_eof_) drain(tool_->stderr_fd(), "stderr", err_lines_, err_eof_);
    if (fds[0].revents) drain(tool_->stdout_fd(), "stdout", out_lines_, out_eof_);
    return -1;
  }

  void drain(int fd, std::string_view stream, peers::LineSplitter& splitter, bool& eof) {
    char buf[16384];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        std::cerr.write(buf, n);  // the tool's own output stays visible in our stderr log
        for (auto& line : splitter.feed(std::string_view(buf, static_cast<std::size_t>(n)))) on_line(stream, line);
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        eof = true;
        if (auto rest = splitter.take_rest(); !rest.empty()) on_line(stream, rest);
      }
      if (n < 0 && errno == EINTR) continue;
      return;
    }
  }

  void on_line(std::string_view stream, const std::string& line) {
    for (auto& o : classify_line(c_.role, *c_.tool, stream, line)) {
      switch (o.kind) {
        case Kind::ready: ready_ = true; break;
        case Kind::version: version_ = o.text; break;
        case Kind::cipher: cipher_ = o.text; break;
        case Kind::group: group_ = o.text; break;
        case Kind::alpn: alpn_ = o.text; break;
        case Kind::key_update:
          ev_.emit({{"event", "key_update"}, {"direction", o.direction}, {"update_requested", o.text == "1"}});
          break;
        case Kind::handshake_done:
          hs_parts_.at(o.part) = true;
          if (!hs_seen_ && std::all_of(hs_parts_.begin(), hs_parts_.end(), [](bool b) { return b; }))
            hs_seen_ = Clock::now();
          break;
        case Kind::alert:
          ev_.emit({{"event", "alert"}, {"direction", o.direction}, {"level", o.level}, {"description", o.description}});
          break;
        case Kind::error:
          ev_.emit({{"event", "error"}, {"message", o.text}});
          failed_ = true;  // the tool gave up on this connection
          break;
        case Kind::closed:
          if (!closed_reason_) closed_reason_ = o.text;
          break;
        case Kind::close_sent: close_sent_ = true; break;
        case Kind::data: on_chunk(o.chunk); break;
      }
    }
    if (hs_seen_ && !hs_emitted_ && (version_ || !c_.role.version) && (cipher_ || !c_.role.cipher) &&
        (group_ || !c_.role.group))
      emit_handshake();
  }

  void on_chunk(const std::vector<std::uint8_t>& chunk) {
    if (!hs_emitted_) emit_handshake();  // data flows, so the handshake is over
    last_rx_ = Clock::now();
    if (client_) {
      client_->on_record(chunk);
      return;
    }
    server_->on_record(chunk);
    if (c_.role.wrapper_echoes) to_write_.push_back(peers::encode_line(chunk));
  }

  void emit_handshake() {
    if (transport_ == Transport::tcp && !connected_) check_connected(true);
    hs_emitted_ = true;
    last_rx_ = Clock::now();
    json e = {{"event", "handshake_done"}, {"time_ms", ms(*hs_seen_or_now() - start_)}};
    e["version"] = version_.value_or("unknown");
    e["cipher"] = cipher_.value_or("unknown");
    if (cipher_) {
      if (auto names = identify_cipher(*cipher_)) {
        e["cipher"] = names->openssl;
        e["cipher_iana"] = names->iana;
      }
    }
    if (c_.role.group) e["group"] = group_.value_or("unknown");
    if (c_.role.alpn) e["alpn"] = alpn_ ? json(*alpn_) : json(nullptr);
    if (transport_ == Transport::tcp) {
      e["connection"] = 1;
      // One connection and no saved session offered (--resume is not mapped): never resumed.
      e["resumed"] = false;
    }
    ev_.emit(std::move(e));
  }
  std::optional<Clock::time_point> hs_seen_or_now() const { return hs_seen_ ? hs_seen_ : Clock::now(); }

  void emit_app_data(const std::string& ended_by = "") {
    app_data_reported_ = true;
    json r = client_ ? client_->report(ended_by) : server_->report();
    r["framing"] = "lines";  // line_frame.hpp; digests are over the binary chunks
    r["chunk"] = plan_.chunk;
    ev_.emit(std::move(r));
  }

  bool workload_ok() const { return client_ ? client_->verified() : server_->verified(); }
  bool heard_back() const { return client_ ? client_->heard_back() : server_->received_any(); }

  int finish_client() {
    emit_app_data();
    tool_->close_stdin();  // the tool sends close_notify and exits
    const auto until = Clock::now() + kExitGrace;
    std::optional<Clock::time_point> close_seen;
    while (!tool_->poll_exit() && Clock::now() < until) {
      // Some tools linger after sending close_notify (gnutls-cli): that was their last word.
      if (close_sent_ && !close_seen) close_seen = Clock::now();
      if (close_seen && Clock::now() - *close_seen > milliseconds(100)) break;
      wait_and_read(Clock::now() + milliseconds(20));
    }
    tool_->terminate(milliseconds(200));
    ev_.emit({{"event", "closed"}, {"reason", "done"}});
    return workload_ok() ? exit_code::ok : exit_code::workload;
  }

  // The connection ended (close_notify, idle): report and stop the tool.
  int finish(const std::string& reason) {
    if (hs_seen_ && !hs_emitted_) emit_handshake();
    emit_app_data(peers::workload_ended_by(reason));
    ev_.emit({{"event", "closed"}, {"reason", reason}});
    // The peer's close_notify arrived: the tool owes its own before it closes
    // (RFC 8446 6.1). A server tool keeps listening, so it is stopped, but only
    // after kCloseReply (or once it left): a SIGTERM at once killed gnutls-serv
    // before its answer, and the harness's close_notify check saw its kernel's
    // FIN alone. Not on the tool's "Sending Alert" line either: gnutls-serv
    // prints it before the write (server-flight-tiny-segments gnutls-cli ->
    // gnutls-cli lost the alert that way).
    if (reason == "close_notify")
      for (const auto until = Clock::now() + kCloseReply; !(out_eof_ && err_eof_) && Clock::now() < until;)
        if (wait_and_read(until) >= 0) break;
    tool_->close_stdin();
    tool_->terminate(reason == "close_notify" ? milliseconds(500) : milliseconds(200));
    return workload_ok() ? exit_code::ok : exit_code::workload;
  }

  int tool_exited(int status) {
    std::cerr << "wireproof-stock: tool " << describe_status(status) << "\n";
    if (hs_seen_ && !hs_emitted_) emit_handshake();
    if (!hs_emitted_)
      return fail(exit_code::handshake, "tool " + describe_status(status) + " before the handshake completed");
    return finish(closed_reason_.value_or("done"));
  }

  // Reports the failure (message may be empty when an error event already
  // said it), stops the tool, and returns `code`.
  int fail(int code, const std::string& message) {
    if (!message.empty()) ev_.emit({{"event", "error"}, {"message", message}});
    if (hs_emitted_ && code == exit_code::workload) emit_app_data();
    if (tool_) tool_->terminate(milliseconds(200));
    return code;
  }

  const SessionConfig& c_;
  peers::EventEmitter& ev_;
  const bool server_role_;
  const Transport transport_;
  std::vector<bool> hs_parts_;  // which of the role's handshake_done patterns have matched
  peers::ChunkPlan plan_;
  std::optional<peers::EchoClient> client_;
  std::optional<peers::EchoServer> server_;

  std::optional<ToolProcess> tool_;
  peers::LineSplitter out_lines_, err_lines_;
  bool out_eof_ = false, err_eof_ = false;
  std::deque<std::string> to_write_;

  Clock::time_point start_, last_rx_;
  std::uint16_t port_ = 0;
  std::uint64_t records_sent_ = 0;
  bool midway_written_ = false;
  bool ready_ = false, connected_ = false, hs_emitted_ = false, failed_ = false, close_sent_ = false, app_data_reported_ = false;
  std::optional<Clock::time_point> hs_seen_, fail_at_;
  std::optional<std::string> version_, cipher_, group_, alpn_, closed_reason_;
};

}  // namespace

int run_stock_session(const SessionConfig& config, peers::EventEmitter& events) {
  return Session(config, events).run();
}

}  // namespace wireproof::stock
