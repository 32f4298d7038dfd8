// The SSL_CTX / SSL set-up the DTLS and TLS sessions share: trust anchor,
// certificate and key, the name a client verifies (and sends as SNI), the
// key-log callback, and the library's reason for a failure.
#pragma once

#include <string>

#include <openssl/ssl.h>

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
// ERR_reason_error_string of the oldest queued error ("certificate verify failed"), or "".
std::string first_error_reason();

}  // namespace wireproof::peers::openssl
