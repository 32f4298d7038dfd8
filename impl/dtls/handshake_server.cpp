// Server-side rows of the handshake table (RFC 5246 7.4, RFC 8422 5, RFC 7627,
// RFC 5746, RFC 6066 3, RFC 7301). The stateless cookie exchange happens in
// the DTLS framing (cookie.hpp) before a ClientHello reaches this code.
#include <algorithm>

#include "impl/crypto/hmac.hpp"
#include "impl/crypto/random.hpp"
#include "impl/crypto/signature.hpp"
#include "impl/dtls/handshake.hpp"
#include "impl/dtls/record.hpp"

namespace wireproof::dtls {

namespace {
bool contains(const std::vector<std::uint16_t>& v, std::uint16_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }
bool key_fits(EVP_PKEY* key, KeyExchange kx) {
  // RFC 8422 5.3: ECDHE_ECDSA suites take ECDSA and EdDSA certificates.
  if (kx == KeyExchange::ecdhe_ecdsa) return crypto::key_family(key) == crypto::KeyFamily::ecdsa;
  if (kx == KeyExchange::ecdhe_rsa) return crypto::key_family(key) == crypto::KeyFamily::rsa;
  return false;
}
}  // namespace

std::optional<Failure> Handshake::read_client_hello(crypto::ByteView body) {
  std::string err;
  auto ch = decode_client_hello(body, cfg_.dtls, err);
  if (!ch) return Failure{kDecodeError, err};
  // DTLS versions count down (1.0 = 0xfeff, 1.2 = 0xfefd): the client must offer at least 1.2.
  if (cfg_.dtls ? ch->version > kDtls12 : ch->version < 0x0303)
    return Failure{kProtocolVersion, "client_hello: client does not offer (D)TLS 1.2"};
  if (std::find(ch->compression_methods.begin(), ch->compression_methods.end(), 0) == ch->compression_methods.end())
    return Failure{kIllegalParameter, "client_hello: null compression not offered"};
  client_random_ = ch->random;

  // Certificate by SNI (RFC 6066 3), falling back to the default one.
  my_cred_ = cfg_.credential;
  if (ch->ext.server_name) {
    sni_ = *ch->ext.server_name;
    for (const auto& c : cfg_.sni_credentials)
      if (c->matches_host(sni_)) {
        my_cred_ = c;
        break;
      }
  }
  // RFC 5246 7.4.1.4.1 defaults to SHA-1, which we do not sign with; accept the common SHA-256 pair.
  peer_sig_algs_ = ch->ext.signature_algorithms.value_or(std::vector<std::uint16_t>{0x0403, 0x0401});
  // RFC 8422 4: without supported_groups the client is assumed to support secp256r1.
  auto client_groups = ch->ext.supported_groups.value_or(std::vector<std::uint16_t>{23});
  std::optional<crypto::Group> group;
  for (auto g : cfg_.groups)
    if (!group && contains(client_groups, static_cast<std::uint16_t>(g))) group = g;
  if (ch->ext.ec_point_formats &&
      std::find(ch->ext.ec_point_formats->begin(), ch->ext.ec_point_formats->end(), 0) == ch->ext.ec_point_formats->end())
    return Failure{kIllegalParameter, "client_hello: uncompressed points not supported by the client"};

  // Server preference order; a suite is usable when we hold what it needs.
  for (auto code : cfg_.cipher_suites) {
    const CipherSuite* cs = find_cipher_suite(code);
    if (!cs || !contains(ch->cipher_suites, code)) continue;
    if (cs->kx == KeyExchange::psk ? !cfg_.psk.has_value()
                                   : !(my_cred_ && key_fits(my_cred_->key.get(), cs->kx) && group &&
                                       crypto::choose_scheme(peer_sig_algs_, my_cred_->key.get())))
      continue;
    suite_ = cs;
    break;
  }
  if (!suite_) return Failure{kHandshakeFailure, "client_hello: no cipher suite in common"};
  if (group) group_ = *group;

  ems_ = ch->ext.extended_master_secret;
  if (cfg_.require_ems && !ems_) return Failure{kHandshakeFailure, "client did not offer extended_master_secret"};
  if (ch->ext.renegotiation_info && !ch->ext.renegotiation_info->empty())
    return Failure{kHandshakeFailure, "client_hello: non-empty renegotiation_info on an initial handshake"};
  peer_signalled_reneg_ = ch->ext.renegotiation_info.has_value() || contains(ch->cipher_suites, kEmptyRenegotiationInfoScsv);

  if (ch->ext.alpn && !cfg_.alpn.empty()) {
    for (const auto& p : cfg_.alpn)
      if (!alpn_selected_ && std::find(ch->ext.alpn->begin(), ch->ext.alpn->end(), p) != ch->ext.alpn->end())
        alpn_selected_ = p;
    if (!alpn_selected_) return Failure{kNoApplicationProtocol, "client_hello: no ALPN protocol in common"};
  }

  if (suite_->kx != KeyExchange::psk) flags_ |= kCertKx;
  if (suite_->kx != KeyExchange::psk || !cfg_.psk->hint.empty()) flags_ |= kServerKx;
  if (cfg_.request_client_cert && suite_->kx != KeyExchange::psk) flags_ |= kClientAuth;
  return std::nullopt;
}

std::optional<Failure> Handshake::write_server_hello() {
  server_random_ = crypto::random_bytes(32, cfg_.random);
  ServerHello sh;
  sh.version = cfg_.dtls ? kDtls12 : 0x0303;
  sh.random = server_random_;
  sh.cipher_suite = suite_->code;
  sh.ext.extended_master_secret = ems_;
  if (peer_signalled_reneg_) sh.ext.renegotiation_info = crypto::Bytes{};
  if (!sni_.empty() && my_cred_ && my_cred_->matches_host(sni_)) sh.ext.server_name = std::string();
  if (alpn_selected_) sh.ext.alpn = std::vector<std::string>{*alpn_selected_};
  send(HsType::server_hello, encode(sh));
  return std::nullopt;
}

std::optional<Failure> Handshake::write_server_certificate() {
  send(HsType::certificate, encode(CertificateMsg{my_cred_->chain.to_der()}));
  return std::nullopt;
}

std::optional<Failure> Handshake::write_server_key_exchange() {
  if (suite_->kx == KeyExchange::psk) {
    send(HsType::server_key_exchange, encode_u16_opaque(crypto::as_bytes(cfg_.psk->hint)));
    return std::nullopt;
  }
  ecdh_ = crypto::EcdhKey::generate(group_, cfg_.random);
  EcdheServerKeyExchange ske;
  ske.group = static_cast<std::uint16_t>(group_);
  ske.public_key = ecdh_->public_value();
  auto scheme = crypto::choose_scheme(peer_sig_algs_, my_cred_->key.get());
  ske.scheme = static_cast<std::uint16_t>(*scheme);  // checked when the suite was chosen
  crypto::Bytes signed_data = client_random_;
  signed_data.insert(signed_data.end(), server_random_.begin(), server_random_.end());
  crypto::Bytes params = ske.params();
  signed_data.insert(signed_data.end(), params.begin(), params.end());
  ske.signature = crypto::sign(my_cred_->key.get(), *scheme, signed_data);
  send(HsType::server_key_exchange, encode(ske));
  return std::nullopt;
}

std::optional<Failure> Handshake::write_certificate_request() {
  CertificateRequest cr;
  cr.certificate_types = {64, 1};  // ecdsa_sign (EC and Ed25519 keys, RFC 8422 5.5), rsa_sign
  for (auto s : crypto::supported_schemes()) cr.signature_algorithms.push_back(static_cast<std::uint16_t>(s));
  send(HsType::certificate_request, encode(cr));
  return std::nullopt;
}

std::optional<Failure> Handshake::read_client_certificate(crypto::ByteView body) {
  std::string err;
  auto cm = decode_certificate(body, err);
  if (!cm) return Failure{kDecodeError, err};
  if (cm->certs.empty()) {
    if (cfg_.require_client_cert) return Failure{kHandshakeFailure, "client sent no certificate but one is required"};
    return std::nullopt;
  }
  auto chain = crypto::CertChain::from_der(cm->certs);
  if (!chain) return Failure{kBadCertificate, "client certificate: not DER"};
  if (cfg_.trust) {
    auto v = cfg_.trust->verify(*chain, crypto::Purpose::client, "");
    if (!v.ok) return Failure{kBadCertificate, "client certificate: " + v.error};
  }
  peer_chain_ = std::move(*chain);
  flags_ |= kClientCertSent;  // CertificateVerify must follow
  return std::nullopt;
}

std::optional<Failure> Handshake::read_client_key_exchange(crypto::ByteView body) {
  std::string err;
  crypto::Bytes pre_master;
  if (suite_->kx == KeyExchange::psk) {
    auto id = decode_u16_opaque(body, err);
    if (!id) return Failure{kDecodeError, "client_key_exchange: " + err};
    if (!crypto::equal_ct(*id, crypto::as_bytes(cfg_.psk->identity)))
      return Failure{kUnknownPskIdentity, "client_key_exchange: unknown PSK identity"};
    pre_master = psk_pre_master(cfg_.psk->key);
  } else {
    auto pub = decode_u8_opaque(body, err);
    if (!pub) return Failure{kDecodeError, "client_key_exchange: " + err};
    auto shared = ecdh_->derive(*pub);
    if (!shared) return Failure{kIllegalParameter, "client_key_exchange: invalid public value"};
    pre_master = std::move(*shared);
  }
  return derive_keys(pre_master);
}

std::optional<Failure> Handshake::read_certificate_verify(crypto::ByteView body) {
  std::string err;
  auto cv = decode_certificate_verify(body, err);
  if (!cv) return Failure{kDecodeError, err};
  if (!crypto::is_supported_scheme(cv->scheme))
    return Failure{kIllegalParameter, "certificate_verify: scheme we did not request"};
  if (!crypto::verify(peer_chain_.leaf_key(), static_cast<crypto::SignatureScheme>(cv->scheme), transcript_before(),
                      cv->signature))
    return Failure{kDecryptError, "certificate_verify: signature does not verify"};
  peer_authenticated_ = cfg_.trust != nullptr;
  return std::nullopt;
}

}  // namespace wireproof::dtls
