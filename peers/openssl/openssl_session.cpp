#include "peers/openssl/openssl_session.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <openssl/err.h>

#include "peers/common/peer_ending.hpp"
#include "peers/openssl/openssl_context.hpp"

namespace wireproof::peers::openssl {
namespace {

constexpr unsigned int kTimerCapUs = 60'000'000;  // RFC 6347 4.2.4.1: at least 60 s; OpenSSL's own cap

}  // namespace

std::string drain_openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

OpensslSession::OpensslSession(const PeerOptions& opts, UdpSocket& socket, EventEmitter& events)
    : opts_(opts), socket_(socket), events_(events) {
  configure_context();
  ssl_.reset(SSL_new(ctx_.get()));
  if (!ssl_) throw SetupError("SSL_new failed: " + drain_openssl_errors(), kExitInternal);
  SSL_set_app_data(ssl_.get(), this);

  BIO* bio = BIO_new_dgram(socket_.fd(), BIO_NOCLOSE);
  if (!bio) throw SetupError("BIO_new_dgram failed: " + drain_openssl_errors(), kExitInternal);
  SSL_set_bio(ssl_.get(), bio, bio);

  // OpenSSL exposes its retransmission timer only through this callback: it
  // is asked for the first timeout (previous 0) and for every next one.
  if (opts_.timer_initial_ms) DTLS_set_timer_cb(ssl_.get(), &OpensslSession::next_timer_us);

  if (opts_.role == Role::client) {
    configure_client();
    SSL_set_connect_state(ssl_.get());
    apply_link_mtu();
  } else {
    awaiting_cookie_ = true;  // the MTU is applied after DTLSv1_listen, see apply_link_mtu
  }
}

void OpensslSession::configure_context() {
  const bool server = opts_.role == Role::server;
  ctx_.reset(SSL_CTX_new(server ? DTLS_server_method() : DTLS_client_method()));
  if (!ctx_) throw SetupError("SSL_CTX_new failed: " + drain_openssl_errors(), kExitInternal);
  if (!SSL_CTX_set_min_proto_version(ctx_.get(), DTLS1_2_VERSION) ||
      !SSL_CTX_set_max_proto_version(ctx_.get(), DTLS1_2_VERSION))
    throw SetupError("cannot pin DTLS 1.2: " + drain_openssl_errors(), kExitInternal);

  load_pki(ctx_.get(), opts_);
  key_log_ = open_key_log(opts_);
  install_key_log(ctx_.get(), key_log_.get());
  // Client: the server's chain must verify. Server: a client certificate is
  // requested and verified when sent (mutual auth is the client's choice).
  SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_info_callback(ctx_.get(), &OpensslSession::on_info);
  install_groups(ctx_.get(), opts_);
  if (!server) install_client_offers(ctx_.get(), opts_);

  if (server) {
    choices_ = std::make_unique<ServerChoices>(opts_);
    choices_->install(ctx_.get(), SSL_VERIFY_PEER);
    cookies_ = std::make_unique<CookieJar>();
    cookies_->install(ctx_.get());
    SSL_CTX_set_options(ctx_.get(), SSL_OP_COOKIE_EXCHANGE);
  }
  // SSL_OP_NO_QUERY_MTU stays off on purpose: OpenSSL then falls back to a
  // smaller MTU after repeated timeouts, a behaviour the harness observes.
}

void OpensslSession::configure_client() {
  // The BIO must know the peer (connected socket) to count IP+UDP overhead for the MTU.
  sockaddr_in peer{};
  socklen_t len = sizeof peer;
  if (::getpeername(socket_.fd(), reinterpret_cast<sockaddr*>(&peer), &len) != 0)
    throw SetupError(std::string("getpeername: ") + std::strerror(errno), kExitInternal);
  BioAddrPtr addr(BIO_ADDR_new());
  if (!addr || !BIO_ADDR_rawmake(addr.get(), AF_INET, &peer.sin_addr, sizeof peer.sin_addr, peer.sin_port))
    throw SetupError("BIO_ADDR_rawmake failed", kExitInternal);
  BIO_ctrl(SSL_get_rbio(ssl_.get()), BIO_CTRL_DGRAM_SET_CONNECTED, 0, addr.get());

  set_verify_name(ssl_.get(), opts_);
}

// DTLS_set_link_mtu counts IP+UDP headers, like the contract's --mtu. The
// value does not survive SSL_clear() without SSL_OP_NO_QUERY_MTU, and
// DTLSv1_listen() begins with SSL_clear(), so the server applies it only
// after the cookie exchange (the HelloVerifyRequest is small anyway).
void OpensslSession::apply_link_mtu() {
  if (!opts_.mtu) return;
  if (DTLS_set_link_mtu(ssl_.get(), *opts_.mtu) != 1)
    throw SetupError("--mtu " + std::to_string(*opts_.mtu) + " is below OpenSSL's minimum link MTU (" +
                         std::to_string(DTLS_get_link_min_mtu(ssl_.get())) + ")",
                     kExitUsage);
}

Progress OpensslSession::listen_for_cookie() {
  BioAddrPtr client(BIO_ADDR_new());
  int rc = DTLSv1_listen(ssl_.get(), client.get());
  if (rc < 0) {
    failure_.error = "DTLSv1_listen: " + drain_openssl_errors();
    return Progress::failed;
  }
  if (rc == 0) {  // nothing yet, or a ClientHello answered with a HelloVerifyRequest
    ERR_clear_error();
    return Progress::want_read;
  }
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  std::size_t len = sizeof sin.sin_addr;
  if (BIO_ADDR_family(client.get()) != AF_INET || BIO_ADDR_rawaddress(client.get(), &sin.sin_addr, &len) != 1) {
    failure_.error = "DTLSv1_listen returned a non-IPv4 client address";
    return Progress::failed;
  }
  sin.sin_port = BIO_ADDR_rawport(client.get());
  socket_.connect_to(sin);
  BIO_ctrl(SSL_get_rbio(ssl_.get()), BIO_CTRL_DGRAM_SET_CONNECTED, 0, client.get());
  apply_link_mtu();
  awaiting_cookie_ = false;
  return Progress::done;
}

Progress OpensslSession::handshake() {
  if (!failure_.error.empty()) return Progress::failed;  // the timer gave up
  if (awaiting_cookie_) {
    Progress p = listen_for_cookie();
    if (p != Progress::done) return p;
  }
  return progress_of(SSL_do_handshake(ssl_.get()), "SSL_do_handshake");
}

// DTLSv1_get_timeout says 0 ("due") from 15 ms before the deadline on:
// OpenSSL's own allowance for coarse socket timeouts (d1_lib.c), so an
// OpenSSL timer may be handed over, and resend, up to 15 ms early.
std::optional<LibraryTimer> OpensslSession::timer() {
  if (awaiting_cookie_) return std::nullopt;
  auto t = armed_.observe([this]() -> std::optional<std::chrono::microseconds> {
    timeval tv{};
    if (DTLSv1_get_timeout(ssl_.get(), &tv) != 1) return std::nullopt;
    return std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
  });
  if (t && timer_length_us_ > 0) t->length = std::chrono::microseconds(timer_length_us_);
  return t;
}

void OpensslSession::on_timer_expired() {
  if (awaiting_cookie_) return;
  if (DTLSv1_handle_timeout(ssl_.get()) < 0)
    failure_.error = "retransmission limit reached (DTLSv1_handle_timeout): " + drain_openssl_errors();
}

Progress OpensslSession::read_record(std::vector<std::uint8_t>& out) {
  return openssl::read_record(ssl_.get(), out, failure_);
}

Progress OpensslSession::write_record(std::span<const std::uint8_t> record) {
  // A full socket buffer is the only reason a UDP write waits; OpenSSL wants
  // the same write repeated, so retry here briefly rather than lose the record.
  for (int attempt = 0; attempt < 50; ++attempt) {
    Progress p = progress_of(SSL_write(ssl_.get(), record.data(), static_cast<int>(record.size())), "SSL_write");
    if (p != Progress::want_write) return p;
    pollfd pfd{socket_.fd(), POLLOUT, 0};
    ::poll(&pfd, 1, 20);
  }
  failure_.error = "SSL_write: socket stayed unwritable for 1 s";
  return Progress::failed;
}

void OpensslSession::send_close_notify() {
  SSL_shutdown(ssl_.get());
  ERR_clear_error();
}

std::string OpensslSession::version() const { return SSL_get_version(ssl_.get()); }

unsigned int OpensslSession::next_timer_us(SSL* ssl, unsigned int previous_us) {
  auto* self = static_cast<OpensslSession*>(SSL_get_app_data(ssl));
  self->timer_length_us_ = previous_us == 0 ? static_cast<unsigned int>(*self->opts_.timer_initial_ms) * 1000u
                                            : std::min(previous_us * 2u, kTimerCapUs);
  return self->timer_length_us_;
}

void OpensslSession::on_info(const SSL* ssl, int where, int ret) {
  emit_info_alert(static_cast<OpensslSession*>(SSL_get_app_data(ssl))->events_, where, ret);
}

}  // namespace wireproof::peers::openssl
