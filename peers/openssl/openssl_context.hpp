// The SSL_CTX / SSL set-up the DTLS and TLS sessions share: trust anchor,
// certificate and key, the name a client verifies (and sends as SNI), the
// key-log callback, and the library's reason for a failure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <openssl/ssl.h>

#include <nlohmann/json.hpp>

#include "peers/common/dtls_session.hpp"
#include "peers/common/key_log_file.hpp"
#include "peers/common/options.hpp"

namespace wireproof::peers::openssl {

// --ca, then --cert/--key when given; throws SetupError (exit 3) naming the file.
void load_pki(SSL_CTX* ctx, const PeerOptions& opts);
// Client: verify the --server-name (sent as SNI), else the host connected to
// (an IP literal is verified as an IP and sends no SNI: RFC 6066 3). Throws SetupError.
void set_verify_name(SSL* ssl, const PeerOptions& opts);
// Every key-log line OpenSSL produces for connections of ctx goes to log (not owned; may be null).
void install_key_log(SSL_CTX* ctx, KeyLogFile* log);
// What a server answers to a ClientHello, from the command line (DTLS and
// TLS alike): --host-cert / --ip-cert / --unknown-sni (servername callback), --alpn (the
// server's preference wins, RFC 7301 3.2; no overlap = no_application_protocol),
// --client-cert (the verify mode). Must outlive the SSL_CTX it is installed on.
class ServerChoices {
 public:
  explicit ServerChoices(const PeerOptions& opts);
  // default_verify_mode applies when --client-cert is absent (DTLS keeps its own).
  void install(SSL_CTX* ctx, int default_verify_mode) const;

 private:
  static int select_alpn(SSL* ssl, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                         unsigned int inlen, void* arg);
  static int on_server_name(SSL* ssl, int* alert, void* arg);
  const PeerOptions& opts_;
  std::string alpn_wire_;  // --alpn as an RFC 7301 ProtocolNameList
};

// A client's offers: --alpn, --max-fragment-length. Throws SetupError.
void install_client_offers(SSL_CTX* ctx, const PeerOptions& opts);

// --groups, DTLS and TLS alike: SSL_CTX_set1_groups_list in the given order
// (a client's key_share goes to the first: OpenSSL 3.0 sends one share, for
// its first group). A server also takes SSL_OP_CIPHER_SERVER_PREFERENCE, so
// its order decides where OpenSSL chooses (TLS 1.2, the HelloRetryRequest's
// group); a client's key_share for any accepted group is still taken as is.
// FFDHE with TLS 1.2 / DTLS 1.2: SetupError 127 (OpenSSL 3.0 negotiates
// RFC 7919 groups in TLS 1.3 only). Nothing when --groups is absent.
void install_groups(SSL_CTX* ctx, const PeerOptions& opts);

// handshake_done's extra fields: group, resumed, alpn, server_name (null when none).
nlohmann::json handshake_details(SSL* ssl);

// ERR_reason_error_string of the oldest queued error ("certificate verify failed"), or "".
std::string first_error_reason();

// Why a session's last SSL_* call failed: its last_error, last_error_reason and last_errno.
struct SslFailure {
  std::string error;      // for a person: the call, OpenSSL's queued errors, the verification result
  std::string reason;     // ERR_reason_error_string, or the socket's strerror when only a system call failed
  int socket_errno = 0;   // the socket error behind it (a system call failure with nothing queued)
};

// The DTLS and TLS sessions' one mapping of an SSL_* call's return value to
// Progress; on failure it fills `failure` (and drains OpenSSL's error queue).
Progress progress_of(SSL* ssl, int rc, const char* call, SslFailure& failure);
// One SSL_read into out, resized to what it returned.
Progress read_record(SSL* ssl, std::vector<std::uint8_t>& out, SslFailure& failure);
// The current cipher suite's OpenSSL and IANA names ("" before one is chosen).
std::string cipher_name(const SSL* ssl);
std::string cipher_iana_name(const SSL* ssl);
// An alert the info callback reports (SSL_CB_ALERT), as the contract's `alert` event.
void emit_info_alert(EventEmitter& events, int where, int ret);

}  // namespace wireproof::peers::openssl
