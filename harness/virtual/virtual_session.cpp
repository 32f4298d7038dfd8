#include "harness/virtual/virtual_session.hpp"

#include "peers/common/alert_names.hpp"

namespace wireproof::sim {

using peers::Progress;

VirtualSession::VirtualSession(dtls::ConnectionConfig cfg, const std::int64_t& now_us, SendDatagram send,
                               peers::EmitEvent emit)
    : conn_(std::make_unique<dtls::Connection>(cfg)),
      is_client_(cfg.handshake.role == dtls::Role::client),
      now_us_(now_us),
      send_(std::move(send)),
      emit_(std::move(emit)) {}

void VirtualSession::feed(const crypto::Bytes& datagram) {
  conn_->feed(datagram, now());
  flush();
}

void VirtualSession::flush() {
  for (auto& d : conn_->pull_datagrams()) send_(std::move(d));
  for (const auto& a : conn_->take_alerts()) emit_(peers::alert_event(a.sent, a.level, a.description));
}

Progress VirtualSession::status() const {
  if (!write_error_.empty()) return Progress::failed;
  switch (conn_->state()) {
    case dtls::State::failed: return Progress::failed;
    case dtls::State::closed: return Progress::closed;
    default: return Progress::want_read;
  }
}

Progress VirtualSession::handshake() {
  if (conn_->state() == dtls::State::idle && is_client_) {
    conn_->start(now());
    flush();
  }
  return conn_->handshake_done() ? Progress::done : status();
}

std::optional<std::int64_t> VirtualSession::deadline_us() const {
  if (auto d = conn_->next_deadline()) return d->count();
  return std::nullopt;
}

// Exact on the simulated clock: the deadline is the stack's own.
std::optional<peers::LibraryTimer> VirtualSession::timer() {
  auto d = conn_->next_deadline();
  if (!d) return std::nullopt;
  return peers::LibraryTimer{std::chrono::steady_clock::time_point(*d), now() >= *d, std::nullopt};
}

void VirtualSession::on_timer_expired() {
  conn_->on_timeout(now());
  flush();
}

Progress VirtualSession::read_record(std::vector<std::uint8_t>& out) {
  if (auto d = conn_->recv_app()) {
    out = std::move(*d);
    return Progress::done;
  }
  return status();
}

Progress VirtualSession::write_record(std::span<const std::uint8_t> record) {
  if (!conn_->send_app(record)) {
    if (write_error_.empty()) write_error_ = conn_->send_refusal(record.size());
    return Progress::failed;
  }
  flush();
  return Progress::done;
}

void VirtualSession::send_close_notify() {
  conn_->close();
  flush();
}

std::string VirtualSession::cipher() const { return conn_->cipher_suite() ? conn_->cipher_suite()->name : ""; }
std::string VirtualSession::cipher_iana() const { return conn_->cipher_suite() ? conn_->cipher_suite()->iana : ""; }
std::string VirtualSession::last_error() const { return write_error_.empty() ? conn_->error() : write_error_; }

}  // namespace wireproof::sim
