// Handshake message bodies (RFC 5246 7.4, DTLS additions of RFC 6347 4.2.1).
// encode_* writes a body without the handshake header; decode_* parses a whole
// body through the bounded Reader and fails unless every byte is consumed.
// Shared with impl/tls: only the ClientHello cookie and HelloVerifyRequest are DTLS-only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "impl/crypto/types.hpp"
#include "impl/dtls/extensions.hpp"

namespace wireproof::dtls {

enum class HsType : std::uint8_t {
  hello_request = 0,
  client_hello = 1,
  server_hello = 2,
  hello_verify_request = 3,
  certificate = 11,
  server_key_exchange = 12,
  certificate_request = 13,
  server_hello_done = 14,
  certificate_verify = 15,
  client_key_exchange = 16,
  finished = 20,
};
const char* hs_name(HsType t);

using crypto::Bytes;
using crypto::ByteView;

struct ClientHello {
  std::uint16_t version = 0xfefd;
  Bytes random;  // 32 bytes
  Bytes session_id;
  Bytes cookie;  // DTLS only (RFC 6347 4.2.1)
  std::vector<std::uint16_t> cipher_suites;
  Bytes compression_methods{0};
  Extensions ext;
};

struct HelloVerifyRequest {
  std::uint16_t version = 0xfefd;
  Bytes cookie;  // at most 255 bytes
};

struct ServerHello {
  std::uint16_t version = 0xfefd;
  Bytes random;
  Bytes session_id;
  std::uint16_t cipher_suite = 0;
  std::uint8_t compression_method = 0;
  Extensions ext;
};

struct CertificateMsg {
  std::vector<Bytes> certs;  // DER, leaf first
};

// ECDHE ServerKeyExchange (RFC 8422 5.4): named_curve params + digitally-signed.
struct EcdheServerKeyExchange {
  std::uint16_t group = 0;
  Bytes public_key;
  std::uint16_t scheme = 0;
  Bytes signature;
  Bytes params() const;  // curve_type || group || public: what is signed (after the randoms)
};

struct CertificateRequest {
  Bytes certificate_types;  // ClientCertificateType values (RFC 5246 7.4.4)
  std::vector<std::uint16_t> signature_algorithms;
  std::vector<Bytes> authorities;  // DER DistinguishedNames
};

struct CertificateVerify {
  std::uint16_t scheme = 0;
  Bytes signature;
};

Bytes encode(const ClientHello& m, bool dtls);
Bytes encode(const HelloVerifyRequest& m);
Bytes encode(const ServerHello& m);
Bytes encode(const CertificateMsg& m);
Bytes encode(const EcdheServerKeyExchange& m);
Bytes encode(const CertificateRequest& m);
Bytes encode(const CertificateVerify& m);
// ClientKeyExchange: ECDHE carries the client's public value (RFC 8422 5.7),
// PSK the identity (RFC 4279 2); PSK ServerKeyExchange carries the identity hint.
Bytes encode_u8_opaque(ByteView v);
Bytes encode_u16_opaque(ByteView v);

// Every decoder sets `error` (for a person) when it returns nullopt.
std::optional<ClientHello> decode_client_hello(ByteView body, bool dtls, std::string& error);
std::optional<HelloVerifyRequest> decode_hello_verify_request(ByteView body, std::string& error);
std::optional<ServerHello> decode_server_hello(ByteView body, std::string& error);
std::optional<CertificateMsg> decode_certificate(ByteView body, std::string& error);
std::optional<EcdheServerKeyExchange> decode_ecdhe_server_key_exchange(ByteView body, std::string& error);
std::optional<CertificateRequest> decode_certificate_request(ByteView body, std::string& error);
std::optional<CertificateVerify> decode_certificate_verify(ByteView body, std::string& error);
std::optional<Bytes> decode_u8_opaque(ByteView body, std::string& error);   // ECDHE ClientKeyExchange
std::optional<Bytes> decode_u16_opaque(ByteView body, std::string& error);  // PSK identity / hint

}  // namespace wireproof::dtls
