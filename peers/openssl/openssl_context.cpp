#include "peers/openssl/openssl_context.hpp"

#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "peers/common/dtls_session.hpp"
#include "peers/common/peer_ending.hpp"
#include "peers/openssl/ssl_handles.hpp"

namespace wireproof::peers::openssl {
namespace {

// Where install_key_log keeps the file: ex_data, because the cookie jar owns SSL_CTX app data.
int key_log_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

void on_key_log_line(const SSL* ssl, const char* line) {
  auto* log = static_cast<KeyLogFile*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), key_log_index()));
  if (log) log->write_line(line);
}

bool is_ip_literal(const std::string& name) {
  in6_addr a6{};
  in_addr a4{};
  return ::inet_pton(AF_INET, name.c_str(), &a4) == 1 || ::inet_pton(AF_INET6, name.c_str(), &a6) == 1;
}

}  // namespace

void load_pki(SSL_CTX* ctx, const PeerOptions& opts) {
  if (SSL_CTX_load_verify_file(ctx, opts.ca.c_str()) != 1)
    throw SetupError("--ca " + opts.ca + ": not a PEM certificate file: " + drain_openssl_errors(), kExitUsage);
  if (opts.cert.empty()) return;
  if (SSL_CTX_use_certificate_chain_file(ctx, opts.cert.c_str()) != 1)
    throw SetupError("--cert " + opts.cert + ": cannot load: " + drain_openssl_errors(), kExitUsage);
  if (SSL_CTX_use_PrivateKey_file(ctx, opts.key.c_str(), SSL_FILETYPE_PEM) != 1)
    throw SetupError("--key " + opts.key + ": cannot load: " + drain_openssl_errors(), kExitUsage);
  if (SSL_CTX_check_private_key(ctx) != 1)
    throw SetupError("--key " + opts.key + " does not match --cert " + opts.cert, kExitUsage);
}

void set_verify_name(SSL* ssl, const PeerOptions& opts) {
  const std::string name = opts.server_name.value_or(opts.connect.host);
  if (!opts.server_name && is_ip_literal(name)) {
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str()) != 1)
      throw SetupError("cannot verify against IP " + name, kExitUsage);
    return;  // SNI carries host names only (RFC 6066 3)
  }
  if (SSL_set1_host(ssl, name.c_str()) != 1 || SSL_set_tlsext_host_name(ssl, name.c_str()) != 1)
    throw SetupError("--server-name " + name + ": rejected by OpenSSL: " + drain_openssl_errors(), kExitUsage);
}

void install_key_log(SSL_CTX* ctx, KeyLogFile* log) {
  if (!log) return;
  SSL_CTX_set_ex_data(ctx, key_log_index(), log);
  SSL_CTX_set_keylog_callback(ctx, &on_key_log_line);
}

std::string first_error_reason() {
  unsigned long e = ERR_peek_error();
  const char* r = e ? ERR_reason_error_string(e) : nullptr;
  return r ? r : "";
}

}  // namespace wireproof::peers::openssl
