#include "peers/gnutls/gnutls_common.hpp"

#include "peers/common/dtls_session.hpp"
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

gnutls_certificate_credentials_t load_host_credentials(const PeerOptions& opts, const HostCert& host) {
  auto cred = with_trust(opts);
  add_key(cred, "--host-cert " + host.name + "=", host.cert, host.key);
  return cred;
}

void attach_check(gnutls_session_t session, PeerCheck* check) {
  gnutls_session_set_ptr(session, check);
  if (check->key_log) gnutls_session_set_keylog_function(session, &write_key_log);
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
