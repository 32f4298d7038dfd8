// The driving loop over kHandshakeRows and the pieces both roles share.
// Role-specific handlers live in handshake_client.cpp and handshake_server.cpp.
#include "impl/dtls/handshake.hpp"

#include "impl/crypto/hmac.hpp"

namespace wireproof::dtls {

const char* alert_name(std::uint8_t d) {
  switch (d) {
    case kCloseNotify: return "close_notify";
    case kUnexpectedMessage: return "unexpected_message";
    case kBadRecordMac: return "bad_record_mac";
    case kHandshakeFailure: return "handshake_failure";
    case kBadCertificate: return "bad_certificate";
    case kCertificateUnknown: return "certificate_unknown";
    case kIllegalParameter: return "illegal_parameter";
    case kUnknownCa: return "unknown_ca";
    case kDecodeError: return "decode_error";
    case kDecryptError: return "decrypt_error";
    case kProtocolVersion: return "protocol_version";
    case kInternalError: return "internal_error";
    case kNoRenegotiation: return "no_renegotiation";
    case kUnknownPskIdentity: return "unknown_psk_identity";
    case kNoApplicationProtocol: return "no_application_protocol";
    default: return "unknown_alert";
  }
}

Handshake::Handshake(HandshakeConfig cfg, HandshakeSink& sink) : cfg_(std::move(cfg)), sink_(sink) {
  if (cfg_.role == Role::client) my_cred_ = cfg_.credential;
}

std::optional<Failure> Handshake::start() {
  if (cfg_.role != Role::client) return std::nullopt;  // the server waits for a ClientHello
  return drive();
}

std::optional<Failure> Handshake::drive() {
  bool wrote = false;
  while (row_ < kHandshakeRows.size()) {
    const HandshakeRow& r = kHandshakeRows[row_];
    const bool present = row_present(r, flags_);
    if (r.writer != cfg_.role) {
      // The peer's turn, unless the row is known to be absent. Rows the peer may
      // omit are left for on_message, which sees what actually arrives.
      if (present || r.peer_may_omit) break;
      ++row_;
      continue;
    }
    if (present) {
      if (auto f = write_row(r)) return f;
      wrote = true;
    }
    ++row_;
  }
  if (wrote) sink_.end_flight(row_ < kHandshakeRows.size());
  return std::nullopt;
}

bool Handshake::awaiting_ccs() const {
  for (std::size_t i = row_; i < kHandshakeRows.size(); ++i) {
    const HandshakeRow& r = kHandshakeRows[i];
    if (r.writer != cfg_.role && r.msg.ccs && row_present(r, flags_)) return true;
    if (row_present(r, flags_) && !r.peer_may_omit) return false;
  }
  return false;
}

std::optional<Failure> Handshake::on_message(HsType type, crypto::ByteView body, crypto::ByteView transcript_form) {
  // RFC 6347 4.2.1: a server may answer the ClientHello with a cookie by another
  // HelloVerifyRequest (it rotated its cookie secret, or lost our first cookie's state).
  // Like OpenSSL and GnuTLS clients, take the new cookie and send the ClientHello again,
  // as long as no ServerHello has arrived.
  if (type == HsType::hello_verify_request && cfg_.role == Role::client && row_ == kCookieHelloRow + 1) {
    if (auto f = read_hello_verify_request(body)) return f;
    row_ = kCookieHelloRow;
    return drive();
  }
  const RowMessage m = hs(type);
  while (row_ < kHandshakeRows.size()) {
    const HandshakeRow& r = kHandshakeRows[row_];
    const bool present = row_present(r, flags_);
    const bool peers = r.writer != cfg_.role;
    if (peers && same_message(r.msg, m) && (present || r.peer_may_omit)) {
      // RFC 6347 4.2.6: HelloVerifyRequest (and the ClientHello before it) stay out of the transcript.
      before_len_ = transcript_.size();
      if (type != HsType::hello_verify_request)
        transcript_.insert(transcript_.end(), transcript_form.begin(), transcript_form.end());
      if (auto f = read_row(r, body)) return f;
      ++row_;
      return drive();
    }
    if (!present || (peers && r.peer_may_omit)) {
      ++row_;
      continue;
    }
    break;
  }
  std::string expected = row_ < kHandshakeRows.size()
                             ? (kHandshakeRows[row_].msg.ccs ? "change_cipher_spec" : hs_name(kHandshakeRows[row_].msg.type))
                             : "nothing (handshake complete)";
  return Failure{kUnexpectedMessage, std::string("received ") + hs_name(type) + ", expected " + expected};
}

std::optional<Failure> Handshake::on_ccs() {
  while (row_ < kHandshakeRows.size()) {
    const HandshakeRow& r = kHandshakeRows[row_];
    const bool present = row_present(r, flags_);
    if (r.writer != cfg_.role && r.msg.ccs && present) {
      if (!suite_ || master_.empty()) return Failure{kUnexpectedMessage, "change_cipher_spec before keys exist"};
      sink_.install_read_keys(*suite_, cfg_.role == Role::client ? keys_.server_write : keys_.client_write);
      ++row_;
      return drive();
    }
    if (!present || (r.writer != cfg_.role && r.peer_may_omit)) {
      ++row_;
      continue;
    }
    break;
  }
  return Failure{kUnexpectedMessage, "unexpected change_cipher_spec"};
}

void Handshake::send(HsType type, crypto::Bytes body) {
  crypto::Bytes tf = sink_.send_message(type, std::move(body));
  // The transcript starts at the ClientHello that the server answered (RFC 6347 4.2.6).
  if (type == HsType::client_hello) transcript_.clear();
  transcript_.insert(transcript_.end(), tf.begin(), tf.end());
}

std::optional<Failure> Handshake::write_row(const HandshakeRow& r) {
  if (r.msg.ccs) {
    sink_.send_ccs(*suite_, cfg_.role == Role::client ? keys_.client_write : keys_.server_write);
    return std::nullopt;
  }
  switch (r.msg.type) {
    case HsType::client_hello: return write_client_hello();
    case HsType::server_hello: return write_server_hello();
    case HsType::certificate:
      return cfg_.role == Role::server ? write_server_certificate() : write_client_certificate();
    case HsType::server_key_exchange: return write_server_key_exchange();
    case HsType::certificate_request: return write_certificate_request();
    case HsType::server_hello_done: send(HsType::server_hello_done, {}); return std::nullopt;
    case HsType::client_key_exchange: return write_client_key_exchange();
    case HsType::certificate_verify: return write_certificate_verify();
    case HsType::finished: return write_finished();
    default: return Failure{kInternalError, std::string("no writer for ") + hs_name(r.msg.type)};
  }
}

std::optional<Failure> Handshake::read_row(const HandshakeRow& r, crypto::ByteView body) {
  switch (r.msg.type) {
    case HsType::client_hello: return read_client_hello(body);
    case HsType::hello_verify_request: return read_hello_verify_request(body);
    case HsType::server_hello: return read_server_hello(body);
    case HsType::certificate:
      return cfg_.role == Role::client ? read_server_certificate(body) : read_client_certificate(body);
    case HsType::server_key_exchange: return read_server_key_exchange(body);
    case HsType::certificate_request: return read_certificate_request(body);
    case HsType::server_hello_done:
      if (!body.empty()) return Failure{kDecodeError, "server_hello_done: non-empty body"};
      return read_server_hello_done();
    case HsType::client_key_exchange: return read_client_key_exchange(body);
    case HsType::certificate_verify: return read_certificate_verify(body);
    case HsType::finished: return read_finished(body);
    default: return Failure{kUnexpectedMessage, std::string("no reader for ") + hs_name(r.msg.type)};
  }
}

std::optional<Failure> Handshake::derive_keys(const crypto::Bytes& pre_master) {
  // RFC 7627 4: session_hash covers the transcript through ClientKeyExchange.
  crypto::Bytes session_hash = crypto::digest(suite_->prf_hash, transcript_);
  master_ = master_secret(*suite_, pre_master, ems_, session_hash, client_random_, server_random_);
  keys_ = key_block(*suite_, master_, client_random_, server_random_);
  return std::nullopt;
}

std::optional<Failure> Handshake::write_finished() {
  send(HsType::finished, finished_verify_data(*suite_, master_, cfg_.role == Role::client, transcript_));
  return std::nullopt;
}

std::optional<Failure> Handshake::read_finished(crypto::ByteView body) {
  // The transcript already holds this Finished; verify_data covers what came before it.
  auto expected = finished_verify_data(*suite_, master_, cfg_.role == Role::server, transcript_before());
  if (!crypto::equal_ct(expected, body)) return Failure{kDecryptError, "finished: verify_data mismatch"};
  peer_authenticated_ = peer_authenticated_ || suite_->kx == KeyExchange::psk;
  return std::nullopt;
}

}  // namespace wireproof::dtls
