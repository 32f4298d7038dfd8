#include "peers/openssl/openssl_context.hpp"

#include <cerrno>
#include <cstring>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "peers/common/alert_names.hpp"
#include "peers/common/group_names.hpp"
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

std::string alpn_wire(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const auto& p : protocols) {
    wire += static_cast<char>(p.size());
    wire += p;
  }
  return wire;
}

std::uint8_t max_fragment_code(int bytes) {
  switch (bytes) {
    case 512: return TLSEXT_max_fragment_length_512;
    case 1024: return TLSEXT_max_fragment_length_1024;
    case 2048: return TLSEXT_max_fragment_length_2048;
    default: return TLSEXT_max_fragment_length_4096;
  }
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

ServerChoices::ServerChoices(const PeerOptions& opts) : opts_(opts), alpn_wire_(alpn_wire(opts.alpn)) {}

void ServerChoices::install(SSL_CTX* ctx, int default_verify_mode) const {
  int mode = default_verify_mode;
  if (opts_.client_cert)
    mode = *opts_.client_cert == ClientCert::none       ? SSL_VERIFY_NONE
           : *opts_.client_cert == ClientCert::optional ? SSL_VERIFY_PEER
                                                        : SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(ctx, mode, nullptr);
  auto* self = const_cast<ServerChoices*>(this);  // OpenSSL's callback argument is void*; the callbacks only read
  if (!alpn_wire_.empty()) SSL_CTX_set_alpn_select_cb(ctx, &ServerChoices::select_alpn, self);
  if (!opts_.host_certs.empty() || opts_.ip_cert || opts_.unknown_sni == UnknownSni::alert) {
    SSL_CTX_set_tlsext_servername_callback(ctx, &ServerChoices::on_server_name);
    SSL_CTX_set_tlsext_servername_arg(ctx, self);
  }
}

int ServerChoices::select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                               unsigned int inlen, void* arg) {
  auto* self = static_cast<const ServerChoices*>(arg);
  unsigned char* chosen = nullptr;
  int rc = SSL_select_next_proto(&chosen, outlen, reinterpret_cast<const unsigned char*>(self->alpn_wire_.data()),
                                 static_cast<unsigned>(self->alpn_wire_.size()), in, inlen);
  if (rc != OPENSSL_NPN_NEGOTIATED) return SSL_TLSEXT_ERR_ALERT_FATAL;  // no_application_protocol
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

int ServerChoices::on_server_name(SSL* ssl, int* alert, void* arg) {
  auto* self = static_cast<const ServerChoices*>(arg);
  // OpenSSL calls this for every ClientHello, with or without server_name.
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  const HostCert* chosen = nullptr;
  if (!name) {
    if (!self->opts_.ip_cert) return SSL_TLSEXT_ERR_OK;  // no SNI, no --ip-cert: the default certificate
    chosen = &*self->opts_.ip_cert;
  }
  for (const auto& h : self->opts_.host_certs)
    if (!chosen && h.name == name) chosen = &h;
  if (chosen) {
    if (SSL_use_certificate_chain_file(ssl, chosen->cert.c_str()) != 1 ||
        SSL_use_PrivateKey_file(ssl, chosen->key.c_str(), SSL_FILETYPE_PEM) != 1 || SSL_check_private_key(ssl) != 1) {
      *alert = SSL_AD_INTERNAL_ERROR;
      return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    return SSL_TLSEXT_ERR_OK;
  }
  if (self->opts_.unknown_sni == UnknownSni::default_cert) return SSL_TLSEXT_ERR_OK;
  *alert = SSL_AD_UNRECOGNIZED_NAME;  // RFC 6066 3
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

void install_client_offers(SSL_CTX* ctx, const PeerOptions& opts) {
  const std::string wire = alpn_wire(opts.alpn);
  if (!wire.empty() && SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(wire.data()),
                                               static_cast<unsigned>(wire.size())) != 0)
    throw SetupError("--alpn: rejected by OpenSSL: " + drain_openssl_errors(), kExitUsage);
  if (opts.max_fragment_length &&
      SSL_CTX_set_tlsext_max_fragment_length(ctx, max_fragment_code(*opts.max_fragment_length)) != 1)
    throw SetupError("--max-fragment-length: rejected by OpenSSL: " + drain_openssl_errors(), kExitUsage);
}

void install_groups(SSL_CTX* ctx, const PeerOptions& opts) {
  if (opts.groups.empty()) return;
  std::string list;
  for (const auto& name : opts.groups) {
    const GroupName* g = find_group(name);  // the parser let only known names through
    if (g->finite_field && opts.protocol != "tls1.3")
      throw SetupError("unsupported: --groups " + name + " with --protocol " + opts.protocol +
                           " (OpenSSL 3.0 negotiates FFDHE groups in TLS 1.3 only)",
                       kExitUnsupported);
    if (!list.empty()) list += ':';
    list += g->openssl;
  }
  if (SSL_CTX_set1_groups_list(ctx, list.c_str()) != 1)
    throw SetupError("unsupported: --groups (OpenSSL refuses " + list + ": " + drain_openssl_errors() + ")",
                     kExitUnsupported);
  if (opts.role == Role::server) SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
}

nlohmann::json handshake_details(SSL* ssl) {
  const int nid = SSL_get_negotiated_group(ssl);
  const char* group = nid > 0 ? SSL_group_to_name(ssl, nid) : nullptr;
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
  const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  return {{"group", group ? nlohmann::json(group) : nlohmann::json()},
          {"resumed", SSL_session_reused(ssl) == 1},
          {"alpn", alpn_len ? nlohmann::json(std::string(reinterpret_cast<const char*>(alpn), alpn_len))
                            : nlohmann::json()},
          {"server_name", sni ? nlohmann::json(sni) : nlohmann::json()}};
}

std::string first_error_reason() {
  unsigned long e = ERR_peek_error();
  const char* r = e ? ERR_reason_error_string(e) : nullptr;
  return r ? r : "";
}

Progress progress_of(SSL* ssl, int rc, const char* call, SslFailure& failure) {
  if (rc > 0) return Progress::done;
  const int saved_errno = errno;  // before SSL_get_error and the error strings can change it
  int err = SSL_get_error(ssl, rc);
  switch (err) {
    case SSL_ERROR_WANT_READ: return Progress::want_read;
    case SSL_ERROR_WANT_WRITE: return Progress::want_write;
    case SSL_ERROR_ZERO_RETURN: return Progress::closed;
    default: break;
  }
  failure.reason = first_error_reason();
  failure.error = std::string(call) + ": ";
  std::string queued = drain_openssl_errors();
  if (err == SSL_ERROR_SYSCALL && queued.empty()) {
    failure.socket_errno = saved_errno;
    failure.error += saved_errno ? std::strerror(saved_errno) : "unexpected EOF";
    if (failure.reason.empty()) failure.reason = saved_errno ? std::strerror(saved_errno) : "unexpected eof";
  } else {
    failure.error += queued.empty() ? "SSL_get_error " + std::to_string(err) : queued;
  }
  long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK)
    failure.error += std::string("; certificate verification: ") + X509_verify_cert_error_string(verify);
  return Progress::failed;
}

Progress read_record(SSL* ssl, std::vector<std::uint8_t>& out, SslFailure& failure) {
  out.resize(SSL3_RT_MAX_PLAIN_LENGTH);
  int rc = SSL_read(ssl, out.data(), static_cast<int>(out.size()));
  Progress p = progress_of(ssl, rc, "SSL_read", failure);
  out.resize(rc > 0 ? static_cast<std::size_t>(rc) : 0);
  return p;
}

std::string cipher_name(const SSL* ssl) {
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl);
  return c ? SSL_CIPHER_get_name(c) : "";
}

std::string cipher_iana_name(const SSL* ssl) {
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl);
  const char* name = c ? SSL_CIPHER_standard_name(c) : nullptr;
  return name ? name : "";
}

void emit_info_alert(EventEmitter& events, int where, int ret) {
  if (where & SSL_CB_ALERT) events.emit(alert_event(!(where & SSL_CB_READ), ret >> 8, ret & 0xff));
}

}  // namespace wireproof::peers::openssl
