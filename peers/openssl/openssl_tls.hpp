// TLS 1.2 / 1.3 over a connected TCP socket through libssl (peers/CONTRACT.md
// "TLS"). The endpoint holds the SSL_CTX for the whole process, so a server's
// ticket keys and a client's saved session carry over to the second
// connection of --resume; each connection is an OpensslTlsSession on SSL_set_fd.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "peers/common/dtls_session.hpp"
#include "peers/common/key_log_file.hpp"
#include "peers/openssl/openssl_context.hpp"
#include "peers/openssl/ssl_handles.hpp"

namespace wireproof::peers::openssl {

using SslSessionPtr = std::unique_ptr<SSL_SESSION, Freer<SSL_SESSION_free>>;

class OpensslTlsEndpoint final : public TlsEndpoint {
 public:
  // Throws SetupError (exit 3 for unreadable files or values OpenSSL refuses).
  OpensslTlsEndpoint(const PeerOptions& opts, EventEmitter& events);
  std::unique_ptr<DtlsSession> session_on(int fd, int connection) override;

  // Client, at a connection's end: the session a later connection resumes.
  void save_session(SslSessionPtr s) { saved_ = std::move(s); }

  const PeerOptions& opts() const { return opts_; }
  EventEmitter& events() const { return events_; }

 private:
  void configure_server();

  const PeerOptions& opts_;
  EventEmitter& events_;
  std::unique_ptr<KeyLogFile> key_log_;  // referenced by ctx_
  std::optional<ServerChoices> choices_;  // server; referenced by ctx_
  SslCtxPtr ctx_;
  SslSessionPtr saved_;
};

class OpensslTlsSession final : public DtlsSession {
 public:
  OpensslTlsSession(OpensslTlsEndpoint& endpoint, SSL_CTX* ctx, SSL_SESSION* resume, int fd, int connection);
  ~OpensslTlsSession() override;
  OpensslTlsSession(const OpensslTlsSession&) = delete;
  OpensslTlsSession& operator=(const OpensslTlsSession&) = delete;

  Progress handshake() override;
  std::optional<LibraryTimer> timer() override { return std::nullopt; }
  void on_timer_expired() override {}
  bool resends_from_read_path() const override { return false; }
  Progress read_record(std::vector<std::uint8_t>& out) override;
  Progress write_record(std::span<const std::uint8_t> record) override;
  void send_close_notify() override;
  std::string version() const override { return SSL_get_version(ssl_.get()); }
  std::string cipher() const override { return cipher_name(ssl_.get()); }
  std::string cipher_iana() const override { return cipher_iana_name(ssl_.get()); }
  std::string last_error() const override { return failure_.error; }
  std::string last_error_reason() const override { return failure_.reason; }
  int last_errno() const override { return failure_.socket_errno; }
  nlohmann::json handshake_details() const override;
  bool send_key_update() override;

 private:
  Progress progress_of(int rc, const char* call) { return openssl::progress_of(ssl_.get(), rc, call, failure_); }
  static void on_info(const SSL* ssl, int where, int ret);
  static void on_message(int write_p, int version, int content_type, const void* buf, size_t len, SSL* ssl, void* arg);

  OpensslTlsEndpoint& endpoint_;
  SslPtr ssl_;
  int fd_;
  int connection_;
  SslFailure failure_;
  bool hello_retry_ = false;  // a HelloRetryRequest was sent or received (handshake_done "hello_retry")
};

}  // namespace wireproof::peers::openssl
