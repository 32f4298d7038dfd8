#include "peers/gnutls/gnutls_common.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>

#include "peers/common/alert_names.hpp"
#include "peers/common/group_names.hpp"
#include "peers/common/peer_ending.hpp"

namespace wireproof::peers::gnutls {
namespace {

PeerCheck* check_of(gnutls_session_t session) { return static_cast<PeerCheck*>(gnutls_session_get_ptr(session)); }

int verify_peer(gnutls_session_t session) {
  PeerCheck* self = check_of(session);
  unsigned int count = 0;
  if (self->role == Role::server && !gnutls_certificate_get_peers(session, &count))
    return 0;  // the client chose not to authenticate (and --client-cert allowed it)
  unsigned int status = 0;
  const char* name = self->role == Role::client ? self->verify_name.c_str() : nullptr;
  if (int rc = gnutls_certificate_verify_peers3(session, name, &status); rc < 0) {
    self->error = "certificate verification could not run: " + gnutls_message(rc);
    self->verify_alert = GNUTLS_A_BAD_CERTIFICATE;
    return GNUTLS_E_CERTIFICATE_ERROR;
  }
  if (status == 0) return 0;
  gnutls_datum_t text{nullptr, 0};
  gnutls_certificate_verification_status_print(status, gnutls_certificate_type_get(session), &text, 0);
  self->error = "certificate verification: " + std::string(text.data ? reinterpret_cast<char*>(text.data) : "failed");
  gnutls_free(text.data);
  if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
    self->verify_alert = GNUTLS_A_UNKNOWN_CA;
  else if (status & GNUTLS_CERT_EXPIRED)
    self->verify_alert = GNUTLS_A_CERTIFICATE_EXPIRED;
  else
    self->verify_alert = GNUTLS_A_BAD_CERTIFICATE;
  return GNUTLS_E_CERTIFICATE_ERROR;
}

int write_key_log(gnutls_session_t session, const char* label, const gnutls_datum_t* secret) {
  PeerCheck* self = check_of(session);
  if (!self || !self->key_log) return 0;
  gnutls_datum_t client_random{nullptr, 0}, server_random{nullptr, 0};
  gnutls_session_get_random(session, &client_random, &server_random);
  self->key_log->write_line(KeyLogFile::line(label, {client_random.data, client_random.size},
                                             {secret->data, secret->size}));
  return 0;
}

// --host-cert for the name the client sent; --unknown-sni for a name with none; --ip-cert when none was sent.
int on_client_hello(gnutls_session_t session) {
  PeerCheck* self = check_of(session);
  char name[256];
  size_t len = sizeof name - 1;
  unsigned int type = 0;
  if (gnutls_server_name_get(session, name, &len, &type, 0) != 0 || type != GNUTLS_NAME_DNS) {  // no SNI
    auto* cred = self->hosts ? self->hosts->no_sni() : nullptr;
    return cred ? gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, cred) : 0;
  }
  name[len] = '\0';
  if (auto* cred = self->hosts ? self->hosts->find(name) : nullptr)
    return gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, cred);
  if (!self->opts || self->opts->unknown_sni == UnknownSni::default_cert) return 0;
  self->error = std::string("no --host-cert for the client's server name '") + name + "' (--unknown-sni alert)";
  return GNUTLS_E_UNRECOGNIZED_NAME;  // the session's failure path sends unrecognized_name (RFC 6066 3)
}

gnutls_certificate_credentials_t with_trust(const PeerOptions& opts) {
  gnutls_certificate_credentials_t cred = nullptr;
  if (int rc = gnutls_certificate_allocate_credentials(&cred); rc < 0)
    throw SetupError("gnutls_certificate_allocate_credentials: " + gnutls_message(rc), kExitInternal);
  int n = gnutls_certificate_set_x509_trust_file(cred, opts.ca.c_str(), GNUTLS_X509_FMT_PEM);
  if (n <= 0) {
    gnutls_certificate_free_credentials(cred);
    throw SetupError("--ca " + opts.ca + ": no PEM certificate loaded" + (n < 0 ? ": " + gnutls_message(n) : ""),
                     kExitUsage);
  }
  gnutls_certificate_set_verify_function(cred, &verify_peer);
  return cred;
}

void add_key(gnutls_certificate_credentials_t cred, const std::string& flag, const std::string& cert,
             const std::string& key) {
  int rc = gnutls_certificate_set_x509_key_file(cred, cert.c_str(), key.c_str(), GNUTLS_X509_FMT_PEM);
  if (rc < 0) {
    gnutls_certificate_free_credentials(cred);
    throw SetupError(flag + " " + cert + " / " + key + ": " + gnutls_message(rc), kExitUsage);
  }
}

}  // namespace

std::string gnutls_message(int rc) { return std::string(gnutls_strerror(rc)) + " (" + std::to_string(rc) + ")"; }

gnutls_certificate_credentials_t load_credentials(const PeerOptions& opts) {
  auto cred = with_trust(opts);
  if (!opts.cert.empty()) add_key(cred, "--cert", opts.cert, opts.key);
  return cred;
}

HostCredentials::HostCredentials(const PeerOptions& opts) {
  try {
    for (const auto& h : opts.host_certs) {
      auto cred = with_trust(opts);
      add_key(cred, "--host-cert " + h.name + "=", h.cert, h.key);  // frees cred when it throws
      creds_.emplace_back(h.name, cred);
    }
    if (opts.ip_cert) {
      no_sni_ = with_trust(opts);
      add_key(no_sni_, "--ip-cert", opts.ip_cert->cert, opts.ip_cert->key);  // frees no_sni_ when it throws
    }
  } catch (...) {
    for (auto& [n, c] : creds_) gnutls_certificate_free_credentials(c);
    throw;
  }
}

HostCredentials::~HostCredentials() {
  for (auto& [n, c] : creds_) gnutls_certificate_free_credentials(c);
  if (no_sni_) gnutls_certificate_free_credentials(no_sni_);
}

gnutls_certificate_credentials_t HostCredentials::find(const std::string& name) const {
  for (const auto& [n, c] : creds_)
    if (n == name) return c;
  return nullptr;
}

void apply_choices(gnutls_session_t session, PeerCheck& check, const PeerOptions& opts,
                   gnutls_certificate_request_t default_request) {
  const bool server = opts.role == Role::server;
  std::vector<gnutls_datum_t> alpn;  // GnuTLS copies the names
  for (const auto& p : opts.alpn)
    alpn.push_back({reinterpret_cast<unsigned char*>(const_cast<char*>(p.data())), static_cast<unsigned>(p.size())});
  if (!alpn.empty())
    if (int rc = gnutls_alpn_set_protocols(session, alpn.data(), static_cast<unsigned>(alpn.size()),
                                           server ? GNUTLS_ALPN_SERVER_PRECEDENCE | GNUTLS_ALPN_MANDATORY : 0);
        rc < 0)
      throw SetupError("--alpn: " + gnutls_message(rc), kExitUsage);
  if (server) {
    gnutls_certificate_request_t request = default_request;
    if (opts.client_cert)
      request = *opts.client_cert == ClientCert::none       ? GNUTLS_CERT_IGNORE
                : *opts.client_cert == ClientCert::optional ? GNUTLS_CERT_REQUEST
                                                            : GNUTLS_CERT_REQUIRE;
    gnutls_certificate_server_set_request(session, request);
    gnutls_handshake_set_post_client_hello_function(session, &on_client_hello);
    return;
  }
  check.verify_name = opts.server_name.value_or(opts.connect.host);
  if (opts.server_name || !is_ip_literal(check.verify_name))
    if (int rc = gnutls_server_name_set(session, GNUTLS_NAME_DNS, check.verify_name.data(), check.verify_name.size());
        rc < 0)
      throw SetupError("--server-name " + check.verify_name + ": " + gnutls_message(rc), kExitUsage);
}

std::string priority_with_groups(const std::string& base, const PeerOptions& opts) {
  if (opts.groups.empty()) return base;
  std::string p = base + ":-GROUP-ALL";
  for (const auto& name : opts.groups) p += ":+" + std::string(find_group(name)->gnutls);  // parser-checked names
  if (opts.role == Role::server) p += ":%SERVER_PRECEDENCE";
  return p;
}

unsigned int key_share_flags(const PeerOptions& opts) {
  return !opts.groups.empty() && opts.role == Role::client ? GNUTLS_KEY_SHARE_TOP : 0;
}

nlohmann::json handshake_details(gnutls_session_t session, const PeerCheck& check, const PeerOptions& opts) {
  const char* group = gnutls_group_get_name(gnutls_group_get(session));
  gnutls_datum_t alpn{nullptr, 0};
  const bool has_alpn = gnutls_alpn_get_selected_protocol(session, &alpn) == 0 && alpn.size > 0;
  nlohmann::json sni;
  if (check.role == Role::client) {
    if (opts.server_name || !is_ip_literal(check.verify_name)) sni = check.verify_name;
  } else {
    char name[256];
    size_t len = sizeof name - 1;
    unsigned int type = 0;
    if (gnutls_server_name_get(session, name, &len, &type, 0) == 0) sni = std::string(name, len);
  }
  std::string g = group ? group : "";
  std::transform(g.begin(), g.end(), g.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return {{"group", group ? nlohmann::json(g) : nlohmann::json()},
          {"resumed", gnutls_session_is_resumed(session) != 0},
          {"alpn", has_alpn ? nlohmann::json(std::string(reinterpret_cast<char*>(alpn.data), alpn.size))
                            : nlohmann::json()},
          {"server_name", sni}};
}

void attach_check(gnutls_session_t session, PeerCheck* check) {
  gnutls_session_set_ptr(session, check);
  if (check->key_log) gnutls_session_set_keylog_function(session, &write_key_log);
}

void emit_alert(const PeerCheck& check, bool sent, int level, int description) {
  check.events->emit(alert_event(sent, level, description));
}

Progress progress_of(gnutls_session_t session, PeerCheck& check, int rc, const char* call) {
  const int saved_errno = errno;  // the socket's, for a pull/push error (GnuTLS's transport is recv/send)
  if (rc >= 0) return Progress::done;
  if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED) {
    // Over UDP a DTLS session only ever waits for a datagram or its timer. After
    // sending a flight gnutls_record_get_direction() says "write", and a UDP
    // socket is always writable, so polling for POLLOUT returned at once: the
    // shim spun on gnutls_handshake() (millions of calls) and GnuTLS, called
    // that way, never retransmitted its flight, so a lost final flight from the
    // server was never asked for again: 1 run in 4 of server-finish-flight-lost
    // (gnutls client) failed before this; 0 of 20 after.
    if (check.datagram) return Progress::want_read;
    return gnutls_record_get_direction(session) == 1 ? Progress::want_write : Progress::want_read;
  }
  if (rc == GNUTLS_E_WARNING_ALERT_RECEIVED || rc == GNUTLS_E_FATAL_ALERT_RECEIVED) {
    int level = rc == GNUTLS_E_FATAL_ALERT_RECEIVED ? GNUTLS_AL_FATAL : GNUTLS_AL_WARNING;
    int desc = gnutls_alert_get(session);
    emit_alert(check, false, level, desc);
    if (level == GNUTLS_AL_WARNING) return Progress::want_read;
    check.error = std::string(call) + ": received fatal alert " + alert_description_name(desc);
    check.reason = gnutls_strerror_name(rc);
    return Progress::failed;
  }
  if (!gnutls_error_is_fatal(rc)) return Progress::want_read;  // e.g. a record DTLS discarded
  if (rc == GNUTLS_E_PULL_ERROR || rc == GNUTLS_E_PUSH_ERROR) check.socket_errno = saved_errno;
  // GnuTLS reports a reset read or write as a premature termination; the
  // socket's errno still names it (a clean EOF leaves no such errno).
  if (rc == GNUTLS_E_PREMATURE_TERMINATION && (saved_errno == ECONNRESET || saved_errno == EPIPE))
    check.socket_errno = saved_errno;
  check.reason = gnutls_strerror_name(rc) ? gnutls_strerror_name(rc) : std::to_string(rc);
  std::string why = check.error.empty() ? gnutls_message(rc) : gnutls_message(rc) + ": " + check.error;
  check.error = std::string(call) + ": " + why;
  // Tell the peer why, as OpenSSL does on its own.
  if (check.verify_alert >= 0) {
    gnutls_alert_send(session, GNUTLS_AL_FATAL, static_cast<gnutls_alert_description_t>(check.verify_alert));
    emit_alert(check, true, GNUTLS_AL_FATAL, check.verify_alert);
  } else {
    int level = 0;
    int desc = gnutls_error_to_alert(rc, &level);
    if (desc >= 0 && gnutls_alert_send_appropriate(session, rc) == 0) emit_alert(check, true, level, desc);
  }
  return Progress::failed;
}

Progress read_record(gnutls_session_t session, PeerCheck& check, std::vector<std::uint8_t>& out) {
  out.resize(16384);
  for (;;) {
    ssize_t n = gnutls_record_recv(session, out.data(), out.size());
    if (n > 0) {
      out.resize(static_cast<std::size_t>(n));
      return Progress::done;
    }
    out.clear();
    if (n == 0) {
      emit_alert(check, false, GNUTLS_AL_WARNING, GNUTLS_A_CLOSE_NOTIFY);
      return Progress::closed;
    }
    Progress p = progress_of(session, check, static_cast<int>(n), "gnutls_record_recv");
    if (n != GNUTLS_E_WARNING_ALERT_RECEIVED) return p;
  }
}

std::string cipher_iana_name(gnutls_session_t session) {
  const char* name = gnutls_ciphersuite_get(session);
  return name ? name : "";
}

std::string contract_version(gnutls_session_t session) {
  std::string name = gnutls_protocol_get_name(gnutls_protocol_get_version(session));
  for (const char* prefix : {"DTLS", "TLS"}) {
    std::string p = prefix;
    if (name.rfind(p, 0) == 0 && name.size() > p.size() && name[p.size()] != 'v') return name.insert(p.size(), "v");
  }
  return name;
}

}  // namespace wireproof::peers::gnutls
