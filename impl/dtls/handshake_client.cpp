// Client-side rows of the handshake table (RFC 5246 7.4, RFC 8422 5, RFC 6347 4.2.1).
#include <arpa/inet.h>

#include <algorithm>

#include "impl/crypto/random.hpp"
#include "impl/crypto/signature.hpp"
#include "impl/dtls/handshake.hpp"
#include "impl/dtls/record.hpp"

namespace wireproof::dtls {

namespace {
bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}
bool contains(const std::vector<std::uint16_t>& v, std::uint16_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }
// Certificate key type the suite authenticates with.
bool key_fits_kx(EVP_PKEY* key, KeyExchange kx) {
  // RFC 8422 5.3: ECDHE_ECDSA suites take ECDSA and EdDSA certificates.
  if (kx == KeyExchange::ecdhe_ecdsa) return crypto::key_family(key) == crypto::KeyFamily::ecdsa;
  if (kx == KeyExchange::ecdhe_rsa) return crypto::key_family(key) == crypto::KeyFamily::rsa;
  return false;
}
}  // namespace

std::optional<Failure> Handshake::write_client_hello() {
  // RFC 6347 4.2.1: the ClientHello answering a HelloVerifyRequest repeats the first one, plus the cookie.
  if (client_random_.empty()) client_random_ = crypto::random_bytes(32, cfg_.random);
  ClientHello ch;
  ch.version = cfg_.dtls ? kDtls12 : 0x0303;
  ch.random = client_random_;
  ch.cookie = cookie_;
  if (cfg_.alter_cookie_echo && !ch.cookie.empty()) ch.cookie[0] ^= 0xff;
  for (auto code : cfg_.cipher_suites) {
    const CipherSuite* cs = find_cipher_suite(code);
    if (cs && (cs->kx != KeyExchange::psk || cfg_.psk)) ch.cipher_suites.push_back(code);
  }
  if (ch.cipher_suites.empty()) return Failure{kInternalError, "no usable cipher suite configured"};
  std::vector<std::uint16_t> groups;
  for (auto g : cfg_.groups) groups.push_back(static_cast<std::uint16_t>(g));
  ch.ext.supported_groups = groups;
  ch.ext.ec_point_formats = std::vector<std::uint8_t>{0};  // uncompressed (RFC 8422 5.1.2)
  std::vector<std::uint16_t> schemes;
  for (auto s : crypto::supported_schemes()) schemes.push_back(static_cast<std::uint16_t>(s));
  ch.ext.signature_algorithms = schemes;
  ch.ext.extended_master_secret = true;
  ch.ext.renegotiation_info = crypto::Bytes{};  // RFC 5746 3.4: empty on the initial handshake
  // RFC 6066 3: literal IP addresses are not sent as a server_name.
  if (!cfg_.server_name.empty() && !is_ip_literal(cfg_.server_name)) ch.ext.server_name = cfg_.server_name;
  if (!cfg_.alpn.empty()) ch.ext.alpn = cfg_.alpn;
  send(HsType::client_hello, encode(ch, cfg_.dtls));
  return std::nullopt;
}

std::optional<Failure> Handshake::read_hello_verify_request(crypto::ByteView body) {
  std::string err;
  auto hvr = decode_hello_verify_request(body, err);
  if (!hvr) return Failure{kDecodeError, err};
  cookie_ = hvr->cookie;
  flags_ |= kCookie;  // the second ClientHello row is now present
  return std::nullopt;
}

std::optional<Failure> Handshake::read_server_hello(crypto::ByteView body) {
  std::string err;
  auto sh = decode_server_hello(body, err);
  if (!sh) return Failure{kDecodeError, err};
  if (sh->version != (cfg_.dtls ? kDtls12 : 0x0303))
    return Failure{kProtocolVersion, "server_hello: version is not (D)TLS 1.2"};
  suite_ = find_cipher_suite(sh->cipher_suite);
  if (!suite_ || !contains(cfg_.cipher_suites, sh->cipher_suite) || (suite_->kx == KeyExchange::psk && !cfg_.psk))
    return Failure{kIllegalParameter, "server_hello: cipher suite we did not offer"};
  if (sh->compression_method != 0) return Failure{kIllegalParameter, "server_hello: compression"};
  server_random_ = sh->random;
  ems_ = sh->ext.extended_master_secret;
  if (cfg_.require_ems && !ems_) return Failure{kHandshakeFailure, "server did not negotiate extended_master_secret"};
  if (sh->ext.renegotiation_info && !sh->ext.renegotiation_info->empty())
    return Failure{kHandshakeFailure, "server_hello: non-empty renegotiation_info on an initial handshake"};
  if (sh->ext.alpn) {
    if (sh->ext.alpn->size() != 1 || std::find(cfg_.alpn.begin(), cfg_.alpn.end(), sh->ext.alpn->front()) == cfg_.alpn.end())
      return Failure{kIllegalParameter, "server_hello: ALPN protocol we did not offer"};
    alpn_selected_ = sh->ext.alpn->front();
  }
  if (suite_->kx != KeyExchange::psk) flags_ |= kCertKx;
  flags_ |= kServerKx;  // required for ECDHE (checked at server_hello_done); optional hint for PSK
  return std::nullopt;
}

std::optional<Failure> Handshake::read_server_certificate(crypto::ByteView body) {
  std::string err;
  auto cm = decode_certificate(body, err);
  if (!cm) return Failure{kDecodeError, err};
  auto chain = crypto::CertChain::from_der(cm->certs);
  if (!chain || chain->empty()) return Failure{kBadCertificate, "server certificate: empty or not DER"};
  if (!key_fits_kx(chain->leaf_key(), suite_->kx))
    return Failure{kBadCertificate, "server certificate key does not match the cipher suite"};
  if (cfg_.trust) {
    auto v = cfg_.trust->verify(*chain, crypto::Purpose::server, cfg_.server_name);
    if (!v.ok) return Failure{kBadCertificate, "server certificate: " + v.error};
    peer_authenticated_ = true;
  }
  peer_chain_ = std::move(*chain);
  return std::nullopt;
}

std::optional<Failure> Handshake::read_server_key_exchange(crypto::ByteView body) {
  std::string err;
  if (suite_->kx == KeyExchange::psk) {
    if (!decode_u16_opaque(body, err)) return Failure{kDecodeError, "server_key_exchange (PSK hint): " + err};
    return std::nullopt;
  }
  auto ske = decode_ecdhe_server_key_exchange(body, err);
  if (!ske) return Failure{kDecodeError, err};
  bool offered = false;
  for (auto g : cfg_.groups) offered = offered || static_cast<std::uint16_t>(g) == ske->group;
  if (!offered) return Failure{kIllegalParameter, "server_key_exchange: group we did not offer"};
  if (!crypto::is_supported_scheme(ske->scheme))
    return Failure{kIllegalParameter, "server_key_exchange: signature scheme we did not offer"};
  crypto::Bytes signed_data = client_random_;
  signed_data.insert(signed_data.end(), server_random_.begin(), server_random_.end());
  crypto::Bytes params = ske->params();
  signed_data.insert(signed_data.end(), params.begin(), params.end());
  if (!crypto::verify(peer_chain_.leaf_key(), static_cast<crypto::SignatureScheme>(ske->scheme), signed_data,
                      ske->signature))
    return Failure{kDecryptError, "server_key_exchange: signature does not verify"};
  group_ = static_cast<crypto::Group>(ske->group);
  peer_public_ = ske->public_key;
  return std::nullopt;
}

std::optional<Failure> Handshake::read_certificate_request(crypto::ByteView body) {
  std::string err;
  auto cr = decode_certificate_request(body, err);
  if (!cr) return Failure{kDecodeError, err};
  flags_ |= kClientAuth;
  peer_sig_algs_ = cr->signature_algorithms;
  if (my_cred_ && crypto::choose_scheme(peer_sig_algs_, my_cred_->key.get())) {
    // ClientCertificateType (RFC 5246 7.4.4, RFC 8422 5.5): rsa_sign 1, ecdsa_sign 64 (EC and Ed25519 keys).
    std::uint8_t want = crypto::key_family(my_cred_->key.get()) == crypto::KeyFamily::rsa ? 1 : 64;
    if (std::find(cr->certificate_types.begin(), cr->certificate_types.end(), want) != cr->certificate_types.end())
      flags_ |= kClientCertSent;
  }
  return std::nullopt;
}

std::optional<Failure> Handshake::read_server_hello_done() {
  if (suite_->kx != KeyExchange::psk && peer_public_.empty())
    return Failure{kUnexpectedMessage, "server_hello_done before server_key_exchange"};
  return std::nullopt;
}

std::optional<Failure> Handshake::write_client_certificate() {
  CertificateMsg cm;
  if (flags_ & kClientCertSent) cm.certs = my_cred_->chain.to_der();  // else empty: RFC 5246 7.4.6
  send(HsType::certificate, encode(cm));
  return std::nullopt;
}

std::optional<Failure> Handshake::write_client_key_exchange() {
  crypto::Bytes pre_master;
  if (suite_->kx == KeyExchange::psk) {
    send(HsType::client_key_exchange, encode_u16_opaque(crypto::as_bytes(cfg_.psk->identity)));
    pre_master = psk_pre_master(cfg_.psk->key);
  } else {
    ecdh_ = crypto::EcdhKey::generate(group_, cfg_.random);
    auto shared = ecdh_->derive(peer_public_);
    if (!shared) return Failure{kIllegalParameter, "server_key_exchange: invalid public value"};
    send(HsType::client_key_exchange, encode_u8_opaque(ecdh_->public_value()));
    pre_master = std::move(*shared);
  }
  return derive_keys(pre_master);
}

std::optional<Failure> Handshake::write_certificate_verify() {
  auto scheme = crypto::choose_scheme(peer_sig_algs_, my_cred_->key.get());
  CertificateVerify cv{static_cast<std::uint16_t>(*scheme), crypto::sign(my_cred_->key.get(), *scheme, transcript_)};
  send(HsType::certificate_verify, encode(cv));
  return std::nullopt;
}

}  // namespace wireproof::dtls
