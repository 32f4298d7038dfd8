// TLS 1.2 / 1.3 over a connected TCP socket through GnuTLS (peers/CONTRACT.md
// "TLS"), non-blocking (GNUTLS_NONBLOCK) on gnutls_transport_set_int. The
// endpoint holds what outlives one connection: the credentials, the server's
// ticket key and the client's saved session (--resume).
#pragma once

#include <gnutls/gnutls.h>

#include <memory>
#include <string>
#include <vector>

#include "peers/common/dtls_session.hpp"
#include "peers/gnutls/gnutls_common.hpp"

namespace wireproof::peers::gnutls {

class GnutlsTlsEndpoint final : public TlsEndpoint {
 public:
  GnutlsTlsEndpoint(const PeerOptions& opts, EventEmitter& events);  // throws SetupError
  ~GnutlsTlsEndpoint() override;
  GnutlsTlsEndpoint(const GnutlsTlsEndpoint&) = delete;
  GnutlsTlsEndpoint& operator=(const GnutlsTlsEndpoint&) = delete;

  std::unique_ptr<DtlsSession> session_on(int fd, int connection) override;

  const PeerOptions& opts() const { return opts_; }
  EventEmitter& events() const { return events_; }
  gnutls_certificate_credentials_t credentials() const { return cred_; }
  const HostCredentials* hosts() const { return hosts_.get(); }
  const gnutls_datum_t* ticket_key() const { return &ticket_key_; }
  KeyLogFile* key_log() const { return key_log_.get(); }
  // Client: the previous connection's session data (empty before it).
  std::vector<std::uint8_t> saved_session;

 private:
  const PeerOptions& opts_;
  EventEmitter& events_;
  gnutls_certificate_credentials_t cred_ = nullptr;
  std::unique_ptr<HostCredentials> hosts_;
  gnutls_datum_t ticket_key_{nullptr, 0};
  std::unique_ptr<KeyLogFile> key_log_;
};

class GnutlsTlsSession final : public DtlsSession, private PeerCheck {
 public:
  GnutlsTlsSession(GnutlsTlsEndpoint& endpoint, int fd, int connection);
  ~GnutlsTlsSession() override;
  GnutlsTlsSession(const GnutlsTlsSession&) = delete;
  GnutlsTlsSession& operator=(const GnutlsTlsSession&) = delete;

  Progress handshake() override;
  std::optional<LibraryTimer> timer() override { return std::nullopt; }
  void on_timer_expired() override {}
  bool resends_from_read_path() const override { return false; }
  Progress read_record(std::vector<std::uint8_t>& out) override;
  Progress write_record(std::span<const std::uint8_t> record) override;
  void send_close_notify() override;
  std::string version() const override { return contract_version(session_); }
  std::string cipher() const override;
  std::string cipher_iana() const override { return cipher_iana_name(session_); }
  std::string last_error() const override { return error; }
  std::string last_error_reason() const override { return reason; }
  int last_errno() const override { return socket_errno; }
  nlohmann::json handshake_details() const override;
  bool send_key_update() override;

 private:
  void configure(int fd);
  Progress progress_of(int rc, const char* call) { return gnutls::progress_of(session_, *this, rc, call); }
  static int on_handshake_message(gnutls_session_t session, unsigned int htype, unsigned when, unsigned int incoming,
                                  const gnutls_datum_t* msg);

  GnutlsTlsEndpoint& endpoint_;
  gnutls_session_t session_ = nullptr;
  int fd_;
  int connection_;
  bool hello_retry_ = false;  // a HelloRetryRequest was sent or received (handshake_done "hello_retry")
};

}  // namespace wireproof::peers::gnutls
