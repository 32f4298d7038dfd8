// What the GnuTLS DTLS and TLS sessions share: credentials from the
// contract's files, the certificate check that names why a peer was
// rejected (and the alert to send for it), the key-log hook, the mapping of
// GnuTLS return codes (with the alerts they carry), record reads, and the
// contract's spelling of versions and alerts.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <gnutls/gnutls.h>
#include <nlohmann/json.hpp>

#include "peers/common/dtls_session.hpp"
#include "peers/common/event_emitter.hpp"
#include "peers/common/key_log_file.hpp"
#include "peers/common/options.hpp"

namespace wireproof::peers::gnutls {

std::string gnutls_message(int rc);  // "<text> (<code>)"

// --host-cert's credentials, one per SNI name, and --ip-cert's for a ClientHello without SNI (each
// with --ca as its trust). Throws SetupError.
class HostCredentials {
 public:
  explicit HostCredentials(const PeerOptions& opts);
  ~HostCredentials();
  HostCredentials(const HostCredentials&) = delete;
  HostCredentials& operator=(const HostCredentials&) = delete;
  gnutls_certificate_credentials_t find(const std::string& name) const;  // nullptr: none for that name
  gnutls_certificate_credentials_t no_sni() const { return no_sni_; }    // nullptr: no --ip-cert

 private:
  std::vector<std::pair<std::string, gnutls_certificate_credentials_t>> creds_;
  gnutls_certificate_credentials_t no_sni_ = nullptr;
};

// The per-session state the shared code below reads and writes (the
// certificate check, the key log, progress_of); a session object derives
// from it and is what gnutls_session_set_ptr holds.
struct PeerCheck {
  Role role = Role::client;
  std::string verify_name;   // client: the name the certificate must carry
  std::string error;         // why the last call failed, for a person
  std::string reason;        // gnutls_strerror_name of the last failure
  int socket_errno = 0;      // the socket error behind it (TLS reports it; DTLS errors carry none)
  int verify_alert = -1;     // alert to send when our verification rejected the peer
  EventEmitter* events = nullptr;  // where alerts are reported
  bool datagram = false;     // DTLS: the session only ever waits for a datagram or its timer
  KeyLogFile* key_log = nullptr;
  const PeerOptions* opts = nullptr;       // server: what the ClientHello hook answers from
  const HostCredentials* hosts = nullptr;  // server: --host-cert
};

// --ca, --cert/--key (when given) into fresh credentials, checked by verify_peer. Throws SetupError.
gnutls_certificate_credentials_t load_credentials(const PeerOptions& opts);
// Marks the session's PeerCheck for the verify function and the key log.
void attach_check(gnutls_session_t session, PeerCheck* check);
// The command line's choices on a fresh session, DTLS and TLS alike (check
// attached, check.opts / check.hosts set for a server): --alpn (a server's
// preference wins, no overlap = no_application_protocol); a server's
// --client-cert (absent: default_request) and --host-cert / --ip-cert / --unknown-sni
// (post-client-hello hook); a client's verify name and SNI (RFC 6066 3: host
// names only, so an IP literal sends none). Throws SetupError.
void apply_choices(gnutls_session_t session, PeerCheck& check, const PeerOptions& opts,
                   gnutls_certificate_request_t default_request);
// The priority string for `base` ("NORMAL:-VERS-ALL:+VERS-TLS1.3") with
// --groups: only those groups, in that order (-GROUP-ALL:+GROUP-...), and
// for a server %SERVER_PRECEDENCE, so its order picks the group (and the
// cipher suite). Unchanged when --groups is absent.
std::string priority_with_groups(const std::string& base, const PeerOptions& opts);
// gnutls_init flags --groups adds: a client's key_share for the first group
// only (GNUTLS_KEY_SHARE_TOP; GnuTLS's default shares the top two kinds).
unsigned int key_share_flags(const PeerOptions& opts);

// handshake_done's extra fields: group (lower case), resumed, alpn, server_name (null when none).
nlohmann::json handshake_details(gnutls_session_t session, const PeerCheck& check, const PeerOptions& opts);

// The contract's `alert` event for one alert sent or received.
void emit_alert(const PeerCheck& check, bool sent, int level, int description);
// The DTLS and TLS sessions' one mapping of a GnuTLS return code to Progress:
// reports received alerts, records why a call failed (check.error, .reason,
// .socket_errno) and tells the peer why with an alert, as OpenSSL does.
Progress progress_of(gnutls_session_t session, PeerCheck& check, int rc, const char* call);
// One record into out (resized to it); a warning alert is reported and
// reading goes on; the peer's close_notify is reported and returns closed.
Progress read_record(gnutls_session_t session, PeerCheck& check, std::vector<std::uint8_t>& out);
// The negotiated suite's IANA name ("" before one is chosen).
std::string cipher_iana_name(gnutls_session_t session);

// "TLS1.3" -> "TLSv1.3", "DTLS1.2" -> "DTLSv1.2" (the contract spells versions the OpenSSL way).
std::string contract_version(gnutls_session_t session);

}  // namespace wireproof::peers::gnutls
