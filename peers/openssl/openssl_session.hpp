// One DTLS 1.2 connection through libssl, non-blocking over the peer's UDP
// socket, with OpenSSL's own retransmission timer (DTLSv1_get_timeout /
// DTLSv1_handle_timeout). The server answers ClientHellos statelessly with
// a HelloVerifyRequest cookie (DTLSv1_listen) and connects its socket to the
// client once a ClientHello returns the cookie.
#pragma once

#include <memory>

#include "peers/common/dtls_session.hpp"
#include "peers/common/key_log_file.hpp"
#include "peers/openssl/cookie_jar.hpp"
#include "peers/openssl/openssl_context.hpp"
#include "peers/openssl/ssl_handles.hpp"

namespace wireproof::peers::openssl {

class OpensslSession final : public DtlsSession {
 public:
  // Throws SetupError (exit 3 for unreadable/mismatched cert or key files).
  OpensslSession(const PeerOptions& opts, UdpSocket& socket, EventEmitter& events);

  Progress handshake() override;
  std::optional<LibraryTimer> timer() override;
  void on_timer_expired() override;
  bool resends_from_read_path() const override { return true; }  // dtls1_read_failed -> dtls1_handle_timeout
  Progress read_record(std::vector<std::uint8_t>& out) override;
  Progress write_record(std::span<const std::uint8_t> record) override;
  void send_close_notify() override;
  std::string version() const override;
  std::string cipher() const override { return cipher_name(ssl_.get()); }
  std::string cipher_iana() const override { return cipher_iana_name(ssl_.get()); }
  std::string last_error() const override { return failure_.error; }
  std::string last_error_reason() const override { return failure_.reason; }
  nlohmann::json handshake_details() const override { return openssl::handshake_details(ssl_.get()); }

 private:
  void configure_context();
  void configure_client();
  void apply_link_mtu();
  Progress listen_for_cookie();
  Progress progress_of(int rc, const char* call) { return openssl::progress_of(ssl_.get(), rc, call, failure_); }

  static unsigned int next_timer_us(SSL* ssl, unsigned int previous_us);
  static void on_info(const SSL* ssl, int where, int ret);

  const PeerOptions& opts_;
  UdpSocket& socket_;
  EventEmitter& events_;
  std::unique_ptr<KeyLogFile> key_log_;  // --key-log; referenced by ctx_
  std::unique_ptr<ServerChoices> choices_;  // server; referenced by ctx_
  std::unique_ptr<CookieJar> cookies_;  // server only; referenced by ctx_
  SslCtxPtr ctx_;
  SslPtr ssl_;
  bool awaiting_cookie_ = false;  // server: still in DTLSv1_listen
  ArmedDeadline armed_;            // the running timer's deadline, from DTLSv1_get_timeout readings (library_timer.hpp)
  unsigned int timer_length_us_ = 0;  // the running timer's value, as next_timer_us last set it (0: unknown)
  // Why the last call failed. Its socket_errno is not reported: the DTLS contract's errors carry no errno.
  SslFailure failure_;
};

}  // namespace wireproof::peers::openssl
