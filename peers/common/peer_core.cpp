#include "peers/common/peer_core.hpp"

#include <algorithm>

namespace wireproof::peers {

PeerCoreConfig core_config(const PeerOptions& opts) {
  return {opts.role,           opts.framing,         workload_plan(opts), opts.timer_initial_ms, opts.handshake_timeout_ms,
          opts.idle_timeout_ms, opts.is_tls(), opts.key_update};
}

PeerCore::PeerCore(PeerCoreConfig config, DtlsSession& session, TimerEvents& timer_events, EmitEvent emit,
                   Clock clock)
    : config_(std::move(config)),
      session_(session),
      timer_events_(timer_events),
      emit_(std::move(emit)),
      clock_(std::move(clock)),
      start_(clock_()) {}

void PeerCore::step() {
  if (exited()) return;
  if (phase_ == Phase::handshake) handshake_step();
  if (exited() || phase_ != Phase::workload) return;
  config_.role == Role::client ? client_step() : server_step();
}

void PeerCore::on_timer_due(const LibraryTimer& timer, bool input_waiting) {
  if (exited() || (input_waiting && !session_.resends_from_read_path())) return;
  timer_events_.expiry_handed(timer);  // printed before the library acts on it
  if (!input_waiting) session_.on_timer_expired();
}

std::optional<PeerCore::Micros> PeerCore::wake_at() const {
  if (exited()) return std::nullopt;
  if (phase_ == Phase::handshake) return start_ + ms(config_.handshake_timeout_ms);
  std::optional<Micros> next;
  if (!heard_back()) next = last_rx_ + ms(config_.idle_timeout_ms);
  if (client_)
    if (auto resend = client_->next_deadline_ms()) {
      Micros at = workload_start_ + ms(*resend);
      next = next ? std::min(*next, at) : at;
    }
  return next;
}

void PeerCore::handshake_step() {
  // Client: timed from its first ClientHello. Server: from the first wake after it started listening.
  if (!began_ && (config_.role == Role::client || stepped_)) began_ = clock_();
  stepped_ = true;
  Progress p = session_.handshake();
  if (p == Progress::done) {
    Micros now = clock_();
    std::chrono::duration<double, std::milli> took = now - began_.value_or(now);
    auto done = handshake_done_event(session_.version(), session_.cipher(), session_.cipher_iana(), took.count());
    done.update(session_.handshake_details());
    emit_(std::move(done));
    phase_ = Phase::workload;
    waiting_for_ = Progress::want_read;  // the workload waits for records (a full buffer is the library's to retry)
    workload_start_ = last_rx_ = now;
    if (config_.stream) stream_.emplace(config_.framing, config_.plan);
    std::optional<std::int64_t> resend;  // a byte stream loses nothing: never resend
    if (!config_.stream) resend = EchoClient::resend_after_ms(config_.timer_initial_ms);
    if (config_.role == Role::client)
      client_.emplace(config_.framing, EchoClient::Config{config_.plan, resend});
    else
      server_.emplace(config_.framing, config_.plan);
    return;
  }
  if (p == Progress::failed)
    return fail(kExitHandshake, handshake_failed(session_.last_error()), session_.last_error_reason());
  if (p == Progress::closed) return fail(kExitHandshake, handshake_closed_by_peer());
  if (clock_() >= start_ + ms(config_.handshake_timeout_ms))
    return fail(kExitHandshake, handshake_timed_out(config_.handshake_timeout_ms));
  if (stop_requested_) return fail(kExitHandshake, handshake_stopped());
  waiting_for_ = p;
}

Progress PeerCore::drain(const std::function<void(const std::vector<std::uint8_t>&)>& on_record) {
  std::vector<std::uint8_t> record;
  for (;;) {
    Progress p = session_.read_record(record);
    if (p != Progress::done) return p == Progress::want_write ? Progress::want_read : p;
    last_rx_ = clock_();
    if (!stream_) {
      on_record(record);
      continue;
    }
    for (const auto& r : stream_->feed(record)) on_record(r);
  }
}

bool PeerCore::maybe_key_update(std::uint64_t chunks) {
  chunks_moved_ += chunks;
  if (!config_.key_update || key_updated_ || 2 * chunks_moved_ < config_.plan.count()) return true;
  key_updated_ = true;
  if (!session_.send_key_update()) return false;
  emit_({{"event", "key_update"}, {"direction", "sent"}, {"update_requested", true}});
  return true;
}

bool PeerCore::heard_back() const { return client_ ? client_->heard_back() : server_ && server_->received_any(); }

bool PeerCore::idle_expired() const {
  return !heard_back() && clock_() >= last_rx_ + ms(config_.idle_timeout_ms);
}

// One wake-up: send what the window allows, read every echo, and repeat while
// echoes keep opening the window.
void PeerCore::client_step() {
  for (;;) {
    std::string error;  // the first write error is the cause; later ones follow from it
    auto since_start = std::chrono::duration_cast<std::chrono::milliseconds>(clock_() - workload_start_);
    for (const auto& r : client_->records_to_send(since_start.count())) {
      if (session_.write_record(r) == Progress::failed && error.empty()) error = "write failed: " + session_.last_error();
      if (error.empty() && !maybe_key_update(1)) error = "key update failed: " + session_.last_error();
    }
    if (!error.empty()) return finish_client("", error);
    if (client_->complete()) return finish_client("done", "");
    bool received = false;
    Progress p = drain([&](const std::vector<std::uint8_t>& r) {
      client_->on_record(r);
      received = true;
    });
    if (p == Progress::failed) return finish_client("", "read failed: " + session_.last_error());
    if (p == Progress::closed) return finish_client("close_notify", "");
    if (received) continue;
    if (stop_requested_) return finish_client("stopped", "");
    if (idle_expired()) return finish_client("idle", "");
    return;
  }
}

// One wake-up: echo every record unchanged. Once the client reached us, its
// close_notify or a stop ends the echo, not silence.
void PeerCore::server_step() {
  std::string error;
  Progress p = drain([&](const std::vector<std::uint8_t>& r) {
    server_->on_record(r);
    if (session_.write_record(r) == Progress::failed && error.empty())
      error = "echo write failed: " + session_.last_error();
    if (error.empty() && !maybe_key_update(1)) error = "key update failed: " + session_.last_error();
  });
  if (!error.empty()) return finish_server("", error);
  if (p == Progress::failed) return finish_server("", "read failed: " + session_.last_error());
  if (p == Progress::closed) {
    session_.send_close_notify();  // answer close_notify with our own
    return finish_server("close_notify", "");
  }
  if (stop_requested_) return finish_server("stopped", "");
  if (idle_expired()) return finish_server("idle", "");
}

void PeerCore::finish_client(const std::string& reason, const std::string& error) {
  exit_code_ = end_client_workload(client_->report(error.empty() ? workload_ended_by(reason) : error),
                                   client_->complete(), client_->verified(),
                                   {reason, error, error.empty() ? "" : session_.last_error_reason(), error.empty() ? 0 : session_.last_errno()}, emit_,
                                   [this] { session_.send_close_notify(); });
}

void PeerCore::finish_server(const std::string& reason, const std::string& error) {
  exit_code_ = end_server_workload(server_->report(), server_->verified(),
                                   {reason, error, error.empty() ? "" : session_.last_error_reason(), error.empty() ? 0 : session_.last_errno()}, emit_);
}

}  // namespace wireproof::peers
