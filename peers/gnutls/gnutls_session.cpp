#include "peers/gnutls/gnutls_session.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <gnutls/x509.h>

#include "peers/common/cipher_names.hpp"
#include "peers/common/peer_ending.hpp"

namespace wireproof::peers::gnutls {
namespace {

constexpr int kIpUdpHeaderBytes = 28;  // GnuTLS's MTU is the UDP payload; the contract's counts IPv4+UDP
constexpr const char* kPriority = "NORMAL:-VERS-ALL:+VERS-DTLS1.2";

// Where the server's HelloVerifyRequest goes before the socket is connected.
struct CookieDestination {
  int fd;
  sockaddr_in to;
};

ssize_t push_to_client(gnutls_transport_ptr_t ptr, const void* data, size_t size) {
  auto* dest = static_cast<CookieDestination*>(ptr);
  return ::sendto(dest->fd, data, size, 0, reinterpret_cast<const sockaddr*>(&dest->to), sizeof dest->to);
}

}  // namespace

GnutlsSession::GnutlsSession(const PeerOptions& opts, UdpSocket& socket, EventEmitter& events)
    : opts_(opts), socket_(socket), events_(events) {
  role = opts_.role;
  datagram = true;
  PeerCheck::opts = &opts_;
  PeerCheck::events = &events_;
  hosts_ = std::make_unique<HostCredentials>(opts_);
  hosts = hosts_.get();
  key_log_ = open_key_log(opts_);
  key_log = key_log_.get();
  cred_ = load_credentials(opts_);
  if (opts_.role == Role::server) {
    if (int rc = gnutls_key_generate(&cookie_key_, GNUTLS_COOKIE_KEY_SIZE); rc < 0)
      throw SetupError("cookie key: gnutls_key_generate: " + gnutls_message(rc), kExitInternal);
    awaiting_cookie_ = true;
  } else {
    start_session(nullptr);
  }
}

GnutlsSession::~GnutlsSession() {
  if (session_) gnutls_deinit(session_);
  if (cred_) gnutls_certificate_free_credentials(cred_);
  if (cookie_key_.data) gnutls_free(cookie_key_.data);
}

void GnutlsSession::start_session(gnutls_dtls_prestate_st* prestate) {
  const bool server = opts_.role == Role::server;
  if (int rc = gnutls_init(&session_, (server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_DATAGRAM | GNUTLS_NONBLOCK);
      rc < 0)
    throw SetupError("gnutls_init: " + gnutls_message(rc), kExitInternal);
  attach_check(session_, this);
  const char* err_pos = nullptr;
  const std::string priority = priority_with_groups(kPriority, opts_);
  if (int rc = gnutls_priority_set_direct(session_, priority.c_str(), &err_pos); rc < 0)
    throw SetupError("priority " + priority + " rejected at '" + (err_pos ? err_pos : "") + "': " + gnutls_message(rc),
                     kExitInternal);
  if (int rc = gnutls_credentials_set(session_, GNUTLS_CRD_CERTIFICATE, cred_); rc < 0)
    throw SetupError("gnutls_credentials_set: " + gnutls_message(rc), kExitInternal);

  // DTLS without --client-cert: a certificate is requested, and verified when sent.
  apply_choices(session_, *this, opts_, GNUTLS_CERT_REQUEST);
  if (server) gnutls_dtls_prestate_set(session_, prestate);
  if (opts_.mtu) gnutls_dtls_set_mtu(session_, static_cast<unsigned>(*opts_.mtu - kIpUdpHeaderBytes));
  // Initial retransmission timer (GnuTLS default 1 s) and the total handshake budget.
  gnutls_dtls_set_timeouts(session_, static_cast<unsigned>(opts_.timer_initial_ms.value_or(1000)),
                           static_cast<unsigned>(opts_.handshake_timeout_ms));
  gnutls_transport_set_int(session_, socket_.fd());
}

Progress GnutlsSession::await_cookie() {
  std::uint8_t buf[4096];
  sockaddr_in from{};
  socklen_t from_len = sizeof from;
  // Peek: a ClientHello with a valid cookie must stay queued for gnutls_handshake.
  ssize_t n = ::recvfrom(socket_.fd(), buf, sizeof buf, MSG_PEEK, reinterpret_cast<sockaddr*>(&from), &from_len);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return Progress::want_read;
    error = std::string("recvfrom: ") + std::strerror(errno);
    return Progress::failed;
  }
  gnutls_dtls_prestate_st prestate{};
  int rc = gnutls_dtls_cookie_verify(&cookie_key_, &from, sizeof from, buf, static_cast<size_t>(n), &prestate);
  if (rc == 0) {
    socket_.connect_to(from);
    start_session(&prestate);
    awaiting_cookie_ = false;
    return Progress::done;
  }
  ::recv(socket_.fd(), buf, sizeof buf, 0);  // consume: answered below, or not a ClientHello
  if (rc == GNUTLS_E_BAD_COOKIE) {
    CookieDestination dest{socket_.fd(), from};
    gnutls_dtls_cookie_send(&cookie_key_, &from, sizeof from, &prestate, &dest, &push_to_client);
  }
  return Progress::want_read;
}

Progress GnutlsSession::handshake() {
  if (awaiting_cookie_) {
    Progress p = await_cookie();
    if (p != Progress::done) return p;
  }
  for (;;) {
    int rc = gnutls_handshake(session_);
    if (rc == GNUTLS_E_WARNING_ALERT_RECEIVED) {  // reported by progress_of; the handshake goes on
      progress_of(rc, "gnutls_handshake");
      continue;
    }
    Progress p = progress_of(rc, "gnutls_handshake");
    if (p == Progress::done) handshake_done_ = true;
    return p;
  }
}

// GnuTLS does not expose the running timer's value, only the time left.
std::optional<LibraryTimer> GnutlsSession::timer() {
  if (awaiting_cookie_ || handshake_done_) return std::nullopt;
  return armed_.observe([this] {
    return std::optional<std::chrono::microseconds>(std::chrono::milliseconds(gnutls_dtls_get_timeout(session_)));
  });
}

Progress GnutlsSession::read_record(std::vector<std::uint8_t>& out) { return gnutls::read_record(session_, *this, out); }

Progress GnutlsSession::write_record(std::span<const std::uint8_t> record) {
  // A full socket buffer is the only reason a UDP write waits; retry briefly
  // rather than lose the record.
  for (int attempt = 0; attempt < 50; ++attempt) {
    ssize_t n = gnutls_record_send(session_, record.data(), record.size());
    if (n >= 0) return Progress::done;
    if (n == GNUTLS_E_LARGE_PACKET) {
      error = "a " + std::to_string(record.size()) + "-byte record does not fit GnuTLS's data MTU of " +
               std::to_string(gnutls_dtls_get_data_mtu(session_)) + " bytes (--mtu " +
               (opts_.mtu ? std::to_string(*opts_.mtu) : "default") + "); use a smaller --chunk";
      return Progress::failed;
    }
    Progress p = progress_of(static_cast<int>(n), "gnutls_record_send");
    if (p != Progress::want_write && p != Progress::want_read) return p;
    pollfd pfd{socket_.fd(), POLLOUT, 0};
    ::poll(&pfd, 1, 20);
  }
  error = "gnutls_record_send: socket stayed unwritable for 1 s";
  return Progress::failed;
}

void GnutlsSession::send_close_notify() {
  // One try, whatever it returns: over UDP there is no delivery promise anyway.
  gnutls_bye(session_, GNUTLS_SHUT_WR);
  emit_alert(*this, true, GNUTLS_AL_WARNING, GNUTLS_A_CLOSE_NOTIFY);
}

std::string GnutlsSession::version() const { return contract_version(session_); }

std::string GnutlsSession::cipher() const { return openssl_style_cipher_name(cipher_iana()); }

}  // namespace wireproof::peers::gnutls
