// The TLS 1.2 handshake core, independent of framing: it walks
// kHandshakeRows, writes this side's messages through a HandshakeSink and
// consumes the peer's. DTLS (connection.hpp) supplies message_seq,
// fragmentation, records and timers; a byte-stream TLS can supply its own
// framing and reuse this class unchanged (set HandshakeConfig::dtls = false).
//
//   Handshake hs(cfg, sink);
//   hs.start();                                // client: ClientHello
//   hs.on_message(type, body, transcript_form) // each reassembled peer message, in order
//   hs.on_ccs()                                // peer's ChangeCipherSpec
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "impl/crypto/ecdh.hpp"
#include "impl/crypto/x509.hpp"
#include "impl/dtls/cipher_suites.hpp"
#include "impl/dtls/handshake_table.hpp"
#include "impl/dtls/key_schedule.hpp"

namespace wireproof::dtls {

struct Psk {
  std::string identity;
  crypto::Bytes key;
  std::string hint;  // server: sent in ServerKeyExchange when non-empty
};

struct HandshakeConfig {
  Role role = Role::client;
  bool dtls = true;
  crypto::RandomSource random;  // hello randoms and ECDHE keys; empty: RAND_bytes (set from ConnectionConfig)
  std::vector<std::uint16_t> cipher_suites = default_cipher_suite_codes();
  std::vector<crypto::Group> groups = {crypto::Group::x25519, crypto::Group::secp256r1};
  bool require_ems = false;  // EMS is always offered and used when both sides support it
  // Server: the default certificate; client: the certificate for client authentication.
  std::shared_ptr<const crypto::Credential> credential;
  // Server: certificates chosen by SNI (first whose leaf matches the requested name).
  std::vector<std::shared_ptr<const crypto::Credential>> sni_credentials;
  // Verify the peer's chain against these anchors when set (client: always sends its
  // checks; server: only for client certificates).
  std::shared_ptr<const crypto::TrustStore> trust;
  std::string server_name;  // client: SNI and the host name checked in the server's certificate
  bool request_client_cert = false;
  bool require_client_cert = false;
  std::vector<std::string> alpn;  // client: offered; server: accepted, in preference order
  std::optional<Psk> psk;
  // Misbehaviour switch (ProtocolBugs::no_cookie_echo): the client's ClientHello after a
  // HelloVerifyRequest carries the cookie with its first byte inverted.
  bool alter_cookie_echo = false;
};

// Alert descriptions we send (RFC 5246 7.2, RFC 7301 3.2, RFC 5746 3.5).
enum AlertDescription : std::uint8_t {
  kCloseNotify = 0,
  kUnexpectedMessage = 10,
  kBadRecordMac = 20,
  kHandshakeFailure = 40,
  kBadCertificate = 42,
  kCertificateUnknown = 46,
  kIllegalParameter = 47,
  kUnknownCa = 48,
  kDecodeError = 50,
  kDecryptError = 51,
  kProtocolVersion = 70,
  kInternalError = 80,
  kNoRenegotiation = 100,
  kUnknownPskIdentity = 115,
  kNoApplicationProtocol = 120,
};
const char* alert_name(std::uint8_t description);

struct Failure {
  std::uint8_t alert;
  std::string reason;  // for a person: what was wrong and where
};

class HandshakeSink {
 public:
  virtual ~HandshakeSink() = default;
  // Queues a handshake message of the current flight; returns the message as
  // it enters the transcript (DTLS: with its 12-byte header, RFC 6347 4.2.6).
  virtual crypto::Bytes send_message(HsType type, crypto::Bytes body) = 0;
  // Queues ChangeCipherSpec, then switches writing to the new keys.
  virtual void send_ccs(const CipherSuite& suite, const DirectionKeys& keys) = 0;
  // The peer's ChangeCipherSpec arrived: read with these keys from now on.
  virtual void install_read_keys(const CipherSuite& suite, const DirectionKeys& keys) = 0;
  // The current flight is complete; expect_reply is false for the handshake's last flight.
  virtual void end_flight(bool expect_reply) = 0;
};

class Handshake {
 public:
  Handshake(HandshakeConfig cfg, HandshakeSink& sink);

  std::optional<Failure> start();
  std::optional<Failure> on_message(HsType type, crypto::ByteView body, crypto::ByteView transcript_form);
  std::optional<Failure> on_ccs();

  bool done() const { return row_ >= kHandshakeRows.size(); }
  bool awaiting_ccs() const;
  const CipherSuite* suite() const { return suite_; }
  const std::optional<std::string>& alpn() const { return alpn_selected_; }
  const std::string& sni() const { return sni_; }
  bool ems() const { return ems_; }
  bool peer_authenticated() const { return peer_authenticated_; }
  const HandshakeConfig& config() const { return cfg_; }
  // Flight number (table numbering) of the row we are at; 0 when done.
  int flight() const { return done() ? 0 : kHandshakeRows[row_].flight; }

 private:
  std::optional<Failure> drive();  // writes every row this side owns, up to the peer's next row
  std::optional<Failure> write_row(const HandshakeRow& r);
  std::optional<Failure> read_row(const HandshakeRow& r, crypto::ByteView body);

  // client
  std::optional<Failure> write_client_hello();
  std::optional<Failure> read_hello_verify_request(crypto::ByteView body);
  std::optional<Failure> read_server_hello(crypto::ByteView body);
  std::optional<Failure> read_server_certificate(crypto::ByteView body);
  std::optional<Failure> read_server_key_exchange(crypto::ByteView body);
  std::optional<Failure> read_certificate_request(crypto::ByteView body);
  std::optional<Failure> read_server_hello_done();
  std::optional<Failure> write_client_certificate();
  std::optional<Failure> write_client_key_exchange();
  std::optional<Failure> write_certificate_verify();
  // server
  std::optional<Failure> read_client_hello(crypto::ByteView body);
  std::optional<Failure> write_server_hello();
  std::optional<Failure> write_server_certificate();
  std::optional<Failure> write_server_key_exchange();
  std::optional<Failure> write_certificate_request();
  std::optional<Failure> read_client_certificate(crypto::ByteView body);
  std::optional<Failure> read_client_key_exchange(crypto::ByteView body);
  std::optional<Failure> read_certificate_verify(crypto::ByteView body);
  // both
  std::optional<Failure> write_finished();
  std::optional<Failure> read_finished(crypto::ByteView body);
  std::optional<Failure> derive_keys(const crypto::Bytes& pre_master);
  void send(HsType type, crypto::Bytes body);

  HandshakeConfig cfg_;
  HandshakeSink& sink_;
  std::size_t row_ = 0;
  std::uint32_t flags_ = 0;
  crypto::Bytes transcript_;
  std::size_t before_len_ = 0;  // transcript length before the message being read
  crypto::ByteView transcript_before() const { return {transcript_.data(), before_len_}; }
  crypto::Bytes client_random_, server_random_, cookie_;
  const CipherSuite* suite_ = nullptr;
  bool ems_ = false;
  std::optional<std::string> alpn_selected_;
  std::string sni_;
  std::shared_ptr<const crypto::Credential> my_cred_;  // what this side presents
  crypto::CertChain peer_chain_;
  bool peer_authenticated_ = false;
  std::optional<crypto::EcdhKey> ecdh_;
  crypto::Bytes peer_public_;
  crypto::Group group_ = crypto::Group::x25519;
  std::vector<std::uint16_t> peer_sig_algs_;       // server: from ClientHello; client: from CertificateRequest
  bool offered_sig_algs_ = false;                  // server: the client sent signature_algorithms
  bool peer_signalled_reneg_ = false;
  crypto::Bytes psk_identity_;
  crypto::Bytes master_;
  KeyBlock keys_;
};

}  // namespace wireproof::dtls
