#include "peers/gnutls/gnutls_tls.hpp"

#include <poll.h>

#include "peers/common/cipher_names.hpp"
#include "peers/common/peer_ending.hpp"

namespace wireproof::peers::gnutls {
namespace {

constexpr int kWriteWaitMs = 10'000;  // a full TCP send buffer that stays full this long is a dead peer

}  // namespace

GnutlsTlsEndpoint::GnutlsTlsEndpoint(const PeerOptions& opts, EventEmitter& events) : opts_(opts), events_(events) {
  key_log_ = open_key_log(opts_);
  cred_ = load_credentials(opts_);
  hosts_ = std::make_unique<HostCredentials>(opts_);
  if (opts_.role == Role::server)
    if (int rc = gnutls_session_ticket_key_generate(&ticket_key_); rc < 0)
      throw SetupError("gnutls_session_ticket_key_generate: " + gnutls_message(rc), kExitInternal);
}

GnutlsTlsEndpoint::~GnutlsTlsEndpoint() {
  if (cred_) gnutls_certificate_free_credentials(cred_);
  if (ticket_key_.data) gnutls_free(ticket_key_.data);
}

std::unique_ptr<DtlsSession> GnutlsTlsEndpoint::session_on(int fd, int connection) {
  return std::make_unique<GnutlsTlsSession>(*this, fd, connection);
}

GnutlsTlsSession::GnutlsTlsSession(GnutlsTlsEndpoint& endpoint, int fd, int connection)
    : endpoint_(endpoint), fd_(fd), connection_(connection) {
  role = endpoint_.opts().role;
  key_log = endpoint_.key_log();
  opts = &endpoint_.opts();
  hosts = endpoint_.hosts();
  events = &endpoint_.events();
  try {
    configure(fd);
  } catch (...) {
    if (session_) gnutls_deinit(session_);
    throw;
  }
}

void GnutlsTlsSession::configure(int fd) {
  const PeerOptions& o = endpoint_.opts();
  const bool server = o.role == Role::server;
  if (int rc = gnutls_init(&session_, (server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NONBLOCK | key_share_flags(o));
      rc < 0)
    throw SetupError("gnutls_init: " + gnutls_message(rc), kExitInternal);
  attach_check(session_, this);
  const std::string priority = priority_with_groups(
      std::string("NORMAL:-VERS-ALL:+VERS-") + (o.protocol == "tls1.3" ? "TLS1.3" : "TLS1.2"), o);
  const char* err_pos = nullptr;
  if (int rc = gnutls_priority_set_direct(session_, priority.c_str(), &err_pos); rc < 0)
    throw SetupError("priority " + priority + " rejected at '" + (err_pos ? err_pos : "") + "': " + gnutls_message(rc),
                     kExitInternal);
  if (int rc = gnutls_credentials_set(session_, GNUTLS_CRD_CERTIFICATE, endpoint_.credentials()); rc < 0)
    throw SetupError("gnutls_credentials_set: " + gnutls_message(rc), kExitInternal);
  gnutls_handshake_set_hook_function(session_, GNUTLS_HANDSHAKE_ANY, GNUTLS_HOOK_POST,
                                     &GnutlsTlsSession::on_handshake_message);
  apply_choices(session_, *this, o, GNUTLS_CERT_IGNORE);  // TLS: no CertificateRequest unless --client-cert asks
  // The contract's N is the extension's value (RFC 8449 4). GnuTLS takes the
  // largest plaintext content it accepts and, in TLS 1.3, advertises one more
  // (the inner content type is counted): asked for 512 it sent 513 until this
  // passed N - 1 for 1.3 (record_size in record-size-limit-512 gnutls -> gnutls).
  // GnuTLS 3.7 refuses a content limit under 512, so 1.3's N < 513 is 127.
  if (o.record_size_limit)
    if (int rc = gnutls_record_set_max_recv_size(
            session_, static_cast<size_t>(*o.record_size_limit - (o.protocol == "tls1.3" ? 1 : 0)));
        rc < 0)
      throw SetupError("--record-size-limit " + std::to_string(*o.record_size_limit) + ": GnuTLS refuses it: " +
                           gnutls_message(rc),
                       kExitUnsupported);
  if (o.max_fragment_length)
    if (int rc = gnutls_record_set_max_size(session_, static_cast<size_t>(*o.max_fragment_length)); rc < 0)
      throw SetupError("--max-fragment-length: " + gnutls_message(rc), kExitUsage);

  if (server) {
    if (int rc = gnutls_session_ticket_enable_server(session_, endpoint_.ticket_key()); rc < 0)
      throw SetupError("gnutls_session_ticket_enable_server: " + gnutls_message(rc), kExitInternal);
  } else {
    if (!endpoint_.saved_session.empty()) {
      gnutls_datum_t d{endpoint_.saved_session.data(), static_cast<unsigned>(endpoint_.saved_session.size())};
      if (int rc = gnutls_session_set_data(session_, d.data, d.size); rc < 0)
        throw SetupError("gnutls_session_set_data: " + gnutls_message(rc), kExitInternal);
    }
  }
  gnutls_handshake_set_timeout(session_, 0);  // the core owns the handshake's timeout
  gnutls_transport_set_int(session_, fd);
}

GnutlsTlsSession::~GnutlsTlsSession() {
  // 1.3 tickets arrive after the handshake, so the session is taken at the end.
  if (role == Role::client && endpoint_.opts().resume) {
    gnutls_datum_t d{nullptr, 0};
    if (gnutls_session_get_data2(session_, &d) == 0) {
      endpoint_.saved_session.assign(d.data, d.data + d.size);
      gnutls_free(d.data);
    }
  }
  gnutls_deinit(session_);
}

// A HelloRetryRequest sent or received (GnuTLS gives it its own handshake
// type, 1025, once it sees the RFC 8446 random), and a KeyUpdate the peer sent.
int GnutlsTlsSession::on_handshake_message(gnutls_session_t session, unsigned int htype, unsigned,
                                           unsigned int incoming, const gnutls_datum_t* msg) {
  auto* self = static_cast<GnutlsTlsSession*>(static_cast<PeerCheck*>(gnutls_session_get_ptr(session)));
  if (htype == GNUTLS_HANDSHAKE_HELLO_RETRY_REQUEST) self->hello_retry_ = true;
  if (htype != GNUTLS_HANDSHAKE_KEY_UPDATE || !incoming) return 0;
  const bool requested = msg && msg->size >= 1 && msg->data[0] == 1;
  self->endpoint_.events().emit({{"event", "key_update"}, {"direction", "received"}, {"update_requested", requested}});
  return 0;
}

Progress GnutlsTlsSession::handshake() {
  for (;;) {
    int rc = gnutls_handshake(session_);
    if (rc == GNUTLS_E_WARNING_ALERT_RECEIVED) {  // reported by progress_of; the handshake goes on
      progress_of(rc, "gnutls_handshake");
      continue;
    }
    return progress_of(rc, "gnutls_handshake");
  }
}

Progress GnutlsTlsSession::read_record(std::vector<std::uint8_t>& out) {
  return gnutls::read_record(session_, *this, out);
}

Progress GnutlsTlsSession::write_record(std::span<const std::uint8_t> record) {
  // GnuTLS may take part of a chunk into a record; the rest goes in the next call (a byte stream).
  std::size_t done = 0;
  for (int waited = 0; done < record.size() && waited <= kWriteWaitMs;) {
    ssize_t n = gnutls_record_send(session_, record.data() + done, record.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    Progress p = progress_of(static_cast<int>(n), "gnutls_record_send");
    if (p != Progress::want_write && p != Progress::want_read) return p;
    // GNUTLS_E_AGAIN mid-record: the same call (GnuTLS keeps the record) once the socket drains.
    pollfd pfd{fd_, POLLOUT, 0};
    ::poll(&pfd, 1, 20);
    waited += 20;
  }
  if (done == record.size()) return Progress::done;
  error = "gnutls_record_send: the socket stayed unwritable for " + std::to_string(kWriteWaitMs / 1000) + " s";
  return Progress::failed;
}

void GnutlsTlsSession::send_close_notify() {
  gnutls_bye(session_, GNUTLS_SHUT_WR);
  emit_alert(*this, true, GNUTLS_AL_WARNING, GNUTLS_A_CLOSE_NOTIFY);
}

std::string GnutlsTlsSession::cipher() const { return openssl_style_cipher_name(cipher_iana()); }

nlohmann::json GnutlsTlsSession::handshake_details() const {
  auto d = gnutls::handshake_details(session_, *this, endpoint_.opts());
  d["connection"] = connection_;
  d["hello_retry"] = hello_retry_;
  return d;
}

bool GnutlsTlsSession::send_key_update() {
  for (int waited = 0; waited <= kWriteWaitMs; waited += 20) {
    int rc = gnutls_session_key_update(session_, GNUTLS_KU_PEER);
    if (rc == 0) return true;
    if (rc != GNUTLS_E_AGAIN && rc != GNUTLS_E_INTERRUPTED) {
      progress_of(rc, "gnutls_session_key_update");
      return false;
    }
    pollfd pfd{fd_, POLLOUT, 0};
    ::poll(&pfd, 1, 20);
  }
  error = "gnutls_session_key_update: the socket stayed unwritable";
  return false;
}

}  // namespace wireproof::peers::gnutls
