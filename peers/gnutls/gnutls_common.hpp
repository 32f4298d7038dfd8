// What the GnuTLS DTLS and TLS sessions share: credentials from the
// contract's files, the certificate check that names why a peer was
// rejected (and the alert to send for it), the key-log hook, and the
// contract's spelling of versions and alerts.
#pragma once

#include <string>

#include <gnutls/gnutls.h>

#include "peers/common/event_emitter.hpp"
#include "peers/common/key_log_file.hpp"
#include "peers/common/options.hpp"

namespace wireproof::peers::gnutls {

std::string gnutls_message(int rc);  // "<text> (<code>)"

// The state the certificate check reads and writes; a session object
// derives from it and is what gnutls_session_set_ptr holds.
struct PeerCheck {
  Role role = Role::client;
  std::string verify_name;   // client: the name the certificate must carry
  std::string error;         // why the last call failed, for a person
  int verify_alert = -1;     // alert to send when our verification rejected the peer
  KeyLogFile* key_log = nullptr;
};

// --ca, --cert/--key (when given) into fresh credentials, checked by verify_peer. Throws SetupError.
gnutls_certificate_credentials_t load_credentials(const PeerOptions& opts);
// A further certificate/key pair (--host-cert) into its own credentials sharing --ca. Throws SetupError.
gnutls_certificate_credentials_t load_host_credentials(const PeerOptions& opts, const HostCert& host);
// Marks the session's PeerCheck for the verify function and the key log.
void attach_check(gnutls_session_t session, PeerCheck* check);
// "TLS1.3" -> "TLSv1.3", "DTLS1.2" -> "DTLSv1.2" (the contract spells versions the OpenSSL way).
std::string contract_version(gnutls_session_t session);

}  // namespace wireproof::peers::gnutls
