#include "harness/virtual/virtual_peer.hpp"

#include <algorithm>

#include "peers/common/alert_names.hpp"
#include "peers/common/peer_ending.hpp"

namespace wireproof::sim {

using nlohmann::json;

namespace {
using peers::kExitHandshake;
using peers::kExitWorkload;

std::int64_t ms_to_us(std::int64_t ms) { return ms * 1000; }
double us_to_ms(std::int64_t us) { return static_cast<double>(us) / 1000.0; }
}  // namespace

VirtualPeer::VirtualPeer(PeerParams params, dtls::ConnectionConfig cfg)
    : params_(std::move(params)), role_name_(is_client() ? "client" : "server") {
  cfg.handshake.role = params_.role;
  conn_ = std::make_unique<dtls::Connection>(std::move(cfg));
}

void VirtualPeer::emit(json event) {
  event["t_ms"] = us_to_ms(now_);  // both peers start at virtual time 0
  out_.push_back({std::nullopt, std::move(event)});
}

void VirtualPeer::flush() {
  for (auto& d : conn_->pull_datagrams()) out_.push_back({std::move(d), std::nullopt});
  for (const auto& a : conn_->take_alerts())
    emit({{"event", "alert"},
          {"direction", a.sent ? "sent" : "received"},
          {"level", peers::alert_level_name(a.level)},
          {"description", peers::alert_description_name(a.description)}});
}

// Why send_app refused a record, worded as peers/ref/ref_session.cpp words it.
std::string VirtualPeer::send_error(std::size_t record_size) const {
  if (conn_->state() == dtls::State::established)
    return "record of " + std::to_string(record_size) + " bytes exceeds max_application_datagram_size " +
           std::to_string(conn_->max_application_datagram_size());
  return conn_->error();
}

void VirtualPeer::fail(int code, const std::string& message) { end(peers::end_with_error(code, message, emitter())); }

void VirtualPeer::end(int exit_code) {
  exit_code_ = exit_code;
  phase_ = Phase::exited;
}

peers::EmitEvent VirtualPeer::emitter() {
  return [this](json e) { emit(std::move(e)); };
}

void VirtualPeer::start(std::int64_t now_us) {
  now_ = now_us;
  emit({{"event", "ready"}, {"port", params_.port}});
  if (is_client()) {
    handshake_began_ = now_us;
    conn_->start(dtls::Time(now_us));
    flush();
  }
}

void VirtualPeer::on_datagram(const crypto::Bytes& datagram, std::int64_t now_us) {
  if (exited()) return;  // a real peer's socket is gone: the datagram is lost
  now_ = now_us;
  if (!handshake_began_) handshake_began_ = now_us;
  conn_->feed(datagram, dtls::Time(now_us));
  flush();
  advance(now_us);
}

void VirtualPeer::on_time(std::int64_t now_us) {
  if (exited()) return;
  now_ = now_us;
  if (auto d = conn_->next_deadline(); d && d->count() <= now_us) {
    conn_->on_timeout(dtls::Time(now_us));
    flush();
  }
  advance(now_us);
}

void VirtualPeer::stop(std::int64_t now_us) {
  if (exited()) return;
  now_ = now_us;
  if (phase_ == Phase::handshaking) return fail(kExitHandshake, peers::handshake_stopped());
  is_client() ? finish_client("stopped", "") : finish_server("stopped", "");
}

std::optional<std::int64_t> VirtualPeer::next_due_us() const {
  if (exited()) return std::nullopt;
  std::optional<std::int64_t> next;
  auto consider = [&](std::optional<std::int64_t> t) {
    if (t && (!next || *t < *next)) next = t;
  };
  if (auto d = conn_->next_deadline()) consider(d->count());
  if (phase_ == Phase::handshaking) {
    consider(ms_to_us(params_.handshake_timeout_ms));  // counted from process start, like the real peer
  } else {
    // Silence ends the workload only until app data has flowed, as in peer_driver.cpp.
    if (!heard_back()) consider(last_rx_ + ms_to_us(params_.idle_timeout_ms));
    if (echo_client_)
      if (auto r = echo_client_->next_deadline_ms()) consider(workload_start_ + ms_to_us(*r));
  }
  return next;
}

void VirtualPeer::advance(std::int64_t now) {
  if (phase_ == Phase::handshaking) {
    if (conn_->handshake_done()) {
      const auto* suite = conn_->cipher_suite();
      emit(peers::handshake_done_event("DTLSv1.2", suite ? suite->name : "", suite ? suite->iana : "",
                                       us_to_ms(now - handshake_began_.value_or(now))));
      phase_ = Phase::workload;
      workload_start_ = last_rx_ = now;
      if (is_client())
        echo_client_.emplace(peers::EchoClient::Config{
            params_.plan, peers::EchoClient::resend_after_ms(params_.timer_initial_ms)});
      else
        echo_server_.emplace(params_.plan);
    } else if (conn_->state() == dtls::State::failed) {
      return fail(kExitHandshake, peers::handshake_failed(conn_->error()));
    } else if (conn_->state() == dtls::State::closed) {
      return fail(kExitHandshake, peers::handshake_closed_by_peer());
    } else if (now >= ms_to_us(params_.handshake_timeout_ms)) {
      return fail(kExitHandshake, peers::handshake_timed_out(params_.handshake_timeout_ms));
    } else {
      return;
    }
  }
  if (phase_ == Phase::workload) is_client() ? client_step(now) : server_step(now);
}

// peer_driver.cpp client_workload, one wake-up: send what the window allows,
// read every echo, repeat while echoes keep opening the window.
void VirtualPeer::client_step(std::int64_t now) {
  auto& echo = *echo_client_;
  for (;;) {
    std::string error;
    for (const auto& r : echo.records_to_send((now - workload_start_) / 1000)) {
      if (!conn_->send_app(r) && error.empty()) error = "write failed: " + send_error(r.size());
      flush();
    }
    if (!error.empty()) return finish_client("", error);
    if (echo.complete()) return finish_client("done", "");
    bool received = false;
    while (auto rec = conn_->recv_app()) {
      last_rx_ = now;
      echo.on_record(*rec);
      received = true;
    }
    if (conn_->state() == dtls::State::failed) return finish_client("", "read failed: " + conn_->error());
    if (conn_->state() == dtls::State::closed) return finish_client("close_notify", "");
    if (received) continue;
    if (!heard_back() && now >= last_rx_ + ms_to_us(params_.idle_timeout_ms)) return finish_client("idle", "");
    return;
  }
}

void VirtualPeer::finish_client(const std::string& reason, const std::string& error) {
  auto& echo = *echo_client_;
  end(peers::end_client_workload(echo.report(error.empty() ? peers::workload_ended_by(reason) : error), echo.complete(),
                                 echo.verified(), {reason, error}, emitter(), [this] {
                                   conn_->close();
                                   flush();
                                 }));
}

// peer_driver.cpp server_workload, one wake-up: echo every record unchanged.
void VirtualPeer::server_step(std::int64_t now) {
  auto& echo = *echo_server_;
  std::string error;
  while (auto rec = conn_->recv_app()) {
    last_rx_ = now;
    echo.on_record(*rec);
    if (!conn_->send_app(*rec) && error.empty()) error = "echo write failed: " + send_error(rec->size());
    flush();
  }
  if (!error.empty()) return finish_server("", error);
  if (conn_->state() == dtls::State::failed) return finish_server("", "read failed: " + conn_->error());
  if (conn_->state() == dtls::State::closed) {
    conn_->close();  // answer close_notify with our own
    flush();
    return finish_server("close_notify", "");
  }
  if (!heard_back() && now >= last_rx_ + ms_to_us(params_.idle_timeout_ms)) return finish_server("idle", "");
}

void VirtualPeer::finish_server(const std::string& reason, const std::string& error) {
  end(peers::end_server_workload(echo_server_->report(), echo_server_->verified(), {reason, error}, emitter()));
}

}  // namespace wireproof::sim
