#include "harness/virtual/virtual_peer.hpp"

#include <algorithm>

namespace wireproof::sim {

using nlohmann::json;

namespace {
double us_to_ms(std::int64_t us) { return static_cast<double>(us) / 1000.0; }

peers::PeerCoreConfig core_config(const PeerParams& p) {
  return {p.role == dtls::Role::client ? peers::Role::client : peers::Role::server,
          peers::Framing::binary,
          p.plan,
          p.timer_initial_ms,
          p.handshake_timeout_ms,
          p.idle_timeout_ms};
}
}  // namespace

VirtualPeer::VirtualPeer(PeerParams params, dtls::ConnectionConfig cfg)
    : params_(std::move(params)),
      role_name_(is_client() ? "client" : "server"),
      // The simulated clock's time_point is microseconds since the run began, as t_ms is.
      timer_events_([this](json e) { emit(std::move(e)); },
                    [](std::chrono::steady_clock::time_point t) {
                      return us_to_ms(std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
                    }),
      session_(
          [&] {
            cfg.handshake.role = params_.role;
            return std::move(cfg);
          }(),
          now_, [this](crypto::Bytes d) { out_.push_back({std::move(d), std::nullopt}); },
          [this](json e) { emit(std::move(e)); }) {}

void VirtualPeer::emit(json event) {
  event["t_ms"] = us_to_ms(now_);  // both peers start at virtual time 0
  out_.push_back({std::nullopt, std::move(event)});
}

void VirtualPeer::start(std::int64_t now_us) {
  now_ = now_us;
  emit({{"event", "ready"}, {"port", params_.port}});
  core_.emplace(core_config(params_), session_, timer_events_, [this](json e) { emit(std::move(e)); },
                [this] { return peers::PeerCore::Micros(now_); });
  core_->step();
}

void VirtualPeer::on_datagram(const crypto::Bytes& datagram, std::int64_t now_us) {
  if (!core_ || exited()) return;  // a real peer's socket is gone: the datagram is lost
  now_ = now_us;
  session_.feed(datagram);
  core_->step();
}

void VirtualPeer::on_time(std::int64_t now_us) {
  // Like a real peer's poll, only its own deadline wakes it (the server's
  // handshake is timed from its first wake).
  if (auto due = next_due_us(); !due || *due > now_us) return;
  now_ = now_us;
  if (auto timer = session_.timer(); timer && timer->due) core_->on_timer_due(*timer, false);
  core_->step();
}

void VirtualPeer::stop(std::int64_t now_us) {
  if (!core_ || exited()) return;
  now_ = now_us;
  core_->request_stop();
  core_->step();
}

std::optional<std::int64_t> VirtualPeer::next_due_us() const {
  if (!core_ || exited()) return std::nullopt;
  std::optional<std::int64_t> next;
  if (auto at = core_->wake_at()) next = at->count();
  if (auto t = session_.deadline_us()) next = next ? std::min(*next, *t) : *t;
  return next;
}

}  // namespace wireproof::sim
