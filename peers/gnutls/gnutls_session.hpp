// One DTLS 1.2 connection through GnuTLS, non-blocking (GNUTLS_NONBLOCK)
// over the peer's UDP socket. GnuTLS keeps its retransmission timer inside:
// gnutls_dtls_get_timeout says how long until it fires, and the next
// gnutls_handshake() call after that retransmits. The server runs the
// stateless cookie exchange (gnutls_dtls_cookie_verify / _send) on its
// unconnected socket before a session exists, then connects the socket to
// the client and hands the exchange's state over (gnutls_dtls_prestate_set).
#pragma once

#include <gnutls/dtls.h>
#include <gnutls/gnutls.h>

#include <memory>

#include "peers/common/dtls_session.hpp"
#include "peers/gnutls/gnutls_common.hpp"

namespace wireproof::peers::gnutls {

class GnutlsSession final : public DtlsSession, private PeerCheck {
 public:
  // Throws SetupError (exit 3 for unreadable/mismatched cert or key files).
  GnutlsSession(const PeerOptions& opts, UdpSocket& socket, EventEmitter& events);
  ~GnutlsSession() override;
  GnutlsSession(const GnutlsSession&) = delete;
  GnutlsSession& operator=(const GnutlsSession&) = delete;

  Progress handshake() override;
  std::optional<LibraryTimer> timer() override;
  void on_timer_expired() override {}  // the next gnutls_handshake() retransmits
  bool resends_from_read_path() const override { return true; }  // lib/dtls.c _dtls_transmit
  Progress read_record(std::vector<std::uint8_t>& out) override;
  Progress write_record(std::span<const std::uint8_t> record) override;
  void send_close_notify() override;
  std::string version() const override;
  std::string cipher() const override;
  std::string cipher_iana() const override { return cipher_iana_name(session_); }
  std::string last_error() const override { return error; }
  std::string last_error_reason() const override { return reason; }
  nlohmann::json handshake_details() const override { return gnutls::handshake_details(session_, *this, opts_); }

 private:
  void start_session(gnutls_dtls_prestate_st* prestate);
  Progress await_cookie();
  Progress progress_of(int rc, const char* call) { return gnutls::progress_of(session_, *this, rc, call); }

  const PeerOptions& opts_;
  UdpSocket& socket_;
  EventEmitter& events_;
  gnutls_certificate_credentials_t cred_ = nullptr;
  gnutls_session_t session_ = nullptr;
  gnutls_datum_t cookie_key_{nullptr, 0};  // server
  bool awaiting_cookie_ = false;
  bool handshake_done_ = false;
  ArmedDeadline armed_;  // the running timer's deadline, from gnutls_dtls_get_timeout readings (library_timer.hpp)
  std::unique_ptr<KeyLogFile> key_log_;  // --key-log
  std::unique_ptr<HostCredentials> hosts_;  // server: --host-cert
};

}  // namespace wireproof::peers::gnutls
