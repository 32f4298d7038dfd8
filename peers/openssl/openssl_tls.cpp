#include "peers/openssl/openssl_tls.hpp"

#include <poll.h>

#include <cstring>

#include <openssl/err.h>

#include "peers/common/peer_ending.hpp"
#include "peers/openssl/openssl_context.hpp"

namespace wireproof::peers::openssl {
namespace {

constexpr unsigned char kSessionIdContext[] = "wireproof";
constexpr int kWriteWaitMs = 10'000;  // a full TCP send buffer that stays full this long is a dead peer

// RFC 8446 4.1.3: a HelloRetryRequest is a ServerHello with this random.
constexpr unsigned char kHelloRetryRandom[32] = {0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
                                                 0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
                                                 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};
// Handshake header (4) + legacy_version (2), then the random.
constexpr std::size_t kServerHelloRandomAt = 6;

}  // namespace

OpensslTlsEndpoint::OpensslTlsEndpoint(const PeerOptions& opts, EventEmitter& events) : opts_(opts), events_(events) {
  const bool server = opts_.role == Role::server;
  ctx_.reset(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
  if (!ctx_) throw SetupError("SSL_CTX_new failed: " + drain_openssl_errors(), kExitInternal);
  const int version = opts_.protocol == "tls1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (!SSL_CTX_set_min_proto_version(ctx_.get(), version) || !SSL_CTX_set_max_proto_version(ctx_.get(), version))
    throw SetupError("cannot pin " + opts_.protocol + ": " + drain_openssl_errors(), kExitInternal);
  load_pki(ctx_.get(), opts_);
  key_log_ = open_key_log(opts_);
  install_key_log(ctx_.get(), key_log_.get());
  SSL_CTX_set_mode(ctx_.get(), SSL_MODE_AUTO_RETRY);
  install_groups(ctx_.get(), opts_);
  if (server) {
    configure_server();
    return;
  }

  SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
  install_client_offers(ctx_.get(), opts_);
}

void OpensslTlsEndpoint::configure_server() {
  choices_.emplace(opts_);
  choices_->install(ctx_.get(), SSL_VERIFY_NONE);  // TLS: no CertificateRequest unless --client-cert asks
  // Resumption (tickets in 1.2, PSK in 1.3) is refused without a session id context once peers are verified.
  SSL_CTX_set_session_id_context(ctx_.get(), kSessionIdContext, sizeof kSessionIdContext - 1);
  // A server's --max-fragment-length needs nothing: OpenSSL honours a client's
  // max_fragment_length offer on its own (RFC 6066 4).
}

std::unique_ptr<DtlsSession> OpensslTlsEndpoint::session_on(int fd, int connection) {
  return std::make_unique<OpensslTlsSession>(*this, ctx_.get(), saved_.get(), fd, connection);
}

OpensslTlsSession::OpensslTlsSession(OpensslTlsEndpoint& endpoint, SSL_CTX* ctx, SSL_SESSION* resume, int fd,
                                     int connection)
    : endpoint_(endpoint), ssl_(SSL_new(ctx)), fd_(fd), connection_(connection) {
  if (!ssl_) throw SetupError("SSL_new failed: " + drain_openssl_errors(), kExitInternal);
  SSL_set_app_data(ssl_.get(), this);
  if (SSL_set_fd(ssl_.get(), fd) != 1) throw SetupError("SSL_set_fd failed: " + drain_openssl_errors(), kExitInternal);
  SSL_set_msg_callback(ssl_.get(), &OpensslTlsSession::on_message);
  SSL_set_info_callback(ssl_.get(), &OpensslTlsSession::on_info);
  if (endpoint_.opts().role == Role::server) {
    SSL_set_accept_state(ssl_.get());
    return;
  }
  set_verify_name(ssl_.get(), endpoint_.opts());
  if (resume && SSL_set_session(ssl_.get(), resume) != 1)
    throw SetupError("SSL_set_session failed: " + drain_openssl_errors(), kExitInternal);
  SSL_set_connect_state(ssl_.get());
}

OpensslTlsSession::~OpensslTlsSession() {
  // 1.3 tickets arrive after the handshake, so the session is taken at the end.
  if (endpoint_.opts().role == Role::client && endpoint_.opts().resume && SSL_is_init_finished(ssl_.get()))
    endpoint_.save_session(SslSessionPtr(SSL_get1_session(ssl_.get())));
}

Progress OpensslTlsSession::handshake() { return progress_of(SSL_do_handshake(ssl_.get()), "SSL_do_handshake"); }

Progress OpensslTlsSession::read_record(std::vector<std::uint8_t>& out) {
  return openssl::read_record(ssl_.get(), out, failure_);
}

Progress OpensslTlsSession::write_record(std::span<const std::uint8_t> record) {
  // A full TCP send buffer: OpenSSL wants the same write repeated once the socket drains.
  for (int waited = 0; waited <= kWriteWaitMs; waited += 20) {
    Progress p = progress_of(SSL_write(ssl_.get(), record.data(), static_cast<int>(record.size())), "SSL_write");
    if (p != Progress::want_write && p != Progress::want_read) return p;
    pollfd pfd{fd_, static_cast<short>(p == Progress::want_write ? POLLOUT : POLLIN), 0};
    ::poll(&pfd, 1, 20);
  }
  failure_.error = "SSL_write: the socket stayed unwritable for " + std::to_string(kWriteWaitMs / 1000) + " s";
  return Progress::failed;
}

void OpensslTlsSession::send_close_notify() {
  SSL_shutdown(ssl_.get());
  ERR_clear_error();
}

nlohmann::json OpensslTlsSession::handshake_details() const {
  auto d = openssl::handshake_details(ssl_.get());
  d["connection"] = connection_;
  d["hello_retry"] = hello_retry_;
  return d;
}

bool OpensslTlsSession::send_key_update() {
  if (SSL_key_update(ssl_.get(), SSL_KEY_UPDATE_REQUESTED) != 1) {
    failure_.error = "SSL_key_update: " + drain_openssl_errors();
    return false;
  }
  // Queued until the next write or handshake call: send it now.
  return progress_of(SSL_do_handshake(ssl_.get()), "SSL_do_handshake (KeyUpdate)") != Progress::failed;
}

void OpensslTlsSession::on_info(const SSL* ssl, int where, int ret) {
  emit_info_alert(static_cast<OpensslTlsSession*>(SSL_get_app_data(ssl))->endpoint_.events(), where, ret);
}

// A HelloRetryRequest sent or received (OpenSSL has no call that says so), and
// a KeyUpdate the peer sent (handshake type 24, RFC 8446 4.6.3).
void OpensslTlsSession::on_message(int write_p, int, int content_type, const void* buf, size_t len, SSL* ssl, void*) {
  if (content_type != SSL3_RT_HANDSHAKE || len < 5) return;
  const auto* b = static_cast<const unsigned char*>(buf);
  auto* self = static_cast<OpensslTlsSession*>(SSL_get_app_data(ssl));
  if (b[0] == SSL3_MT_SERVER_HELLO && len >= kServerHelloRandomAt + sizeof kHelloRetryRandom &&
      std::memcmp(b + kServerHelloRandomAt, kHelloRetryRandom, sizeof kHelloRetryRandom) == 0)
    self->hello_retry_ = true;
  if (write_p || b[0] != SSL3_MT_KEY_UPDATE) return;
  self->endpoint_.events().emit(
      {{"event", "key_update"}, {"direction", "received"}, {"update_requested", b[4] == SSL_KEY_UPDATE_REQUESTED}});
}

}  // namespace wireproof::peers::openssl
