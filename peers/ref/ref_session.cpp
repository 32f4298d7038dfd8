#include "peers/ref/ref_session.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "impl/crypto/random.hpp"
#include "peers/common/alert_names.hpp"
#include "peers/common/peer_ending.hpp"

namespace wireproof::peers::ref {

namespace {

bool same_address(const sockaddr_in& a, const sockaddr_in& b) {
  return a.sin_addr.s_addr == b.sin_addr.s_addr && a.sin_port == b.sin_port;
}
}  // namespace

RefSession::RefSession(const PeerOptions& opts, const dtls::ProtocolBugs& bugs, UdpSocket& socket,
                       EventEmitter& events)
    : opts_(opts), socket_(socket), events_(events) {
  cfg_.bugs = bugs;
  auto& hs = cfg_.handshake;
  hs.role = opts.role == Role::server ? dtls::Role::server : dtls::Role::client;
  try {
    if (!opts.cert.empty() && !opts.key.empty()) hs.credential = crypto::Credential::load(opts.cert, opts.key);
    if (!opts.ca.empty()) hs.trust = crypto::TrustStore::from_ca_file(opts.ca);
  } catch (const crypto::CryptoError& e) {
    throw SetupError(e.what(), kExitUsage);
  }
  if (hs.role == dtls::Role::server && !hs.credential) throw SetupError("server needs --cert and --key", kExitUsage);
  // Client: the name asked for, else the host we connect to (an IP is checked as an IP, not sent as SNI).
  if (hs.role == dtls::Role::client) hs.server_name = opts.server_name.value_or(opts.connect.host);
  // Server with a CA: ask for a client certificate and verify it when presented (like the other shims).
  hs.request_client_cert = hs.role == dtls::Role::server && hs.trust != nullptr;
  if (opts.mtu) cfg_.mtu = static_cast<std::size_t>(*opts.mtu);
  if (opts.timer_initial_ms) cfg_.initial_timer = std::chrono::milliseconds(*opts.timer_initial_ms);
  cfg_.cookie_secret = crypto::random_bytes(32);
  try {
    if (hs.role == dtls::Role::client) conn_ = std::make_unique<dtls::Connection>(cfg_);
    else dtls::Connection probe(cfg_);  // validate the MTU now, not at the first datagram
  } catch (const std::invalid_argument& e) {
    throw SetupError(std::string("--mtu: ") + e.what(), kExitUsage);
  }
}

dtls::Time RefSession::now() const {
  return std::chrono::duration_cast<dtls::Time>(std::chrono::steady_clock::now() - start_);
}

void RefSession::new_server_connection(const sockaddr_in& from) {
  dtls::ConnectionConfig c = cfg_;
  c.peer_address.assign(reinterpret_cast<const std::uint8_t*>(&from.sin_addr),
                        reinterpret_cast<const std::uint8_t*>(&from.sin_addr) + 4);
  c.peer_address.push_back(static_cast<std::uint8_t>(from.sin_port & 0xff));
  c.peer_address.push_back(static_cast<std::uint8_t>(from.sin_port >> 8));
  conn_ = std::make_unique<dtls::Connection>(std::move(c));
  candidate_ = from;
}

void RefSession::pump() {
  std::uint8_t buf[65536];
  for (;;) {
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(socket_.fd(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
      if (errno == ECONNREFUSED) continue;  // ICMP port unreachable: the peer is not up yet
      io_error_ = std::string("recvfrom: ") + std::strerror(errno);
      break;
    }
    std::span<const std::uint8_t> d(buf, static_cast<std::size_t>(n));
    if (opts_.role == Role::server && !connected_) {
      // Until a hello proves its address, a new sender replaces the previous candidate.
      if (!candidate_ || !same_address(*candidate_, from)) new_server_connection(from);
    }
    conn_->feed(d, now());
    flush();
  }
}

void RefSession::flush() {
  if (!conn_) return;
  if (opts_.role == Role::server && !connected_ && conn_->hello_accepted()) {
    socket_.connect_to(*candidate_);
    connected_ = true;
  }
  // Handshake-phase datagrams (not application data) are reported with the time the stack
  // meant them to leave, in the events' own t_ms base (peers/CONTRACT.md, ref only).
  const double lag_ms = std::chrono::duration<double, std::milli>(now() - conn_->intended_send_time()).count();
  for (const auto& d : conn_->pull_datagrams()) {
    if (!d.empty() && d[0] != 23) {
      const double t = events_.ms_since_start();
      events_.emit({{"event", "datagram"}, {"size", d.size()}, {"intended_ms", std::round((t - lag_ms) * 1000) / 1000}});
    }
    ssize_t n = connected_ || opts_.role == Role::client
                    ? ::send(socket_.fd(), d.data(), d.size(), 0)
                    : ::sendto(socket_.fd(), d.data(), d.size(), 0, reinterpret_cast<const sockaddr*>(&*candidate_),
                               sizeof *candidate_);
    // A datagram the kernel refuses (buffer full, peer gone) counts as lost; DTLS recovers.
    if (n < 0 && errno != EAGAIN && errno != ECONNREFUSED) std::fprintf(stderr, "send: %s\n", std::strerror(errno));
  }
  for (const auto& a : conn_->take_alerts()) events_.emit(alert_event(a.sent, a.level, a.description));
}

Progress RefSession::status() const {
  if (!io_error_.empty()) return Progress::failed;
  if (!conn_) return Progress::want_read;
  switch (conn_->state()) {
    case dtls::State::failed: return Progress::failed;
    case dtls::State::closed: return Progress::closed;
    default: return Progress::want_read;
  }
}

Progress RefSession::handshake() {
  if (conn_ && conn_->state() == dtls::State::idle && opts_.role == Role::client) {
    conn_->start(now());
    flush();
  }
  pump();
  if (conn_ && conn_->handshake_done()) return Progress::done;
  return status();
}

// The sans-IO stack states its deadline exactly (the shim sets no overall
// handshake timeout, so next_deadline() is the retransmission timer's).
std::optional<LibraryTimer> RefSession::timer() {
  if (!conn_) return std::nullopt;
  auto d = conn_->next_deadline();
  if (!d) return std::nullopt;
  return LibraryTimer{start_ + *d, now() >= *d, std::nullopt};
}

void RefSession::on_timer_expired() {
  if (!conn_) return;
  conn_->on_timeout(now());
  flush();
}

Progress RefSession::read_record(std::vector<std::uint8_t>& out) {
  pump();
  if (conn_) {
    if (auto d = conn_->recv_app()) {
      out = std::move(*d);
      return Progress::done;
    }
  }
  return status();
}

Progress RefSession::write_record(std::span<const std::uint8_t> record) {
  if (!conn_ || !conn_->send_app(record)) {
    if (conn_ && conn_->state() == dtls::State::established) io_error_ = conn_->send_refusal(record.size());
    return Progress::failed;
  }
  flush();
  return Progress::done;
}

void RefSession::send_close_notify() {
  if (!conn_) return;
  conn_->close();
  flush();
}

std::string RefSession::cipher() const {
  return conn_ && conn_->cipher_suite() ? conn_->cipher_suite()->name : "";
}
std::string RefSession::cipher_iana() const {
  return conn_ && conn_->cipher_suite() ? conn_->cipher_suite()->iana : "";
}
std::string RefSession::last_error() const {
  if (!io_error_.empty()) return io_error_;
  return conn_ ? conn_->error() : "no connection";
}

}  // namespace wireproof::peers::ref
