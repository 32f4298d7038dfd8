// Handshake signatures for TLS 1.2 (ServerKeyExchange, CertificateVerify).
// Schemes use the two-byte codes of the signature_algorithms extension
// (RFC 5246 7.4.1.4.1 hash/signature pairs; RSA-PSS codes from RFC 8446 4.2.3;
// ed25519 from RFC 8422 5.1.3, PureEdDSA over the whole message, deterministic).
#pragma once

#include <optional>
#include <vector>

#include "impl/crypto/evp_ptr.hpp"
#include "impl/crypto/types.hpp"

namespace wireproof::crypto {

enum class SignatureScheme : std::uint16_t {
  rsa_pkcs1_sha256 = 0x0401,
  rsa_pkcs1_sha384 = 0x0501,
  ecdsa_secp256r1_sha256 = 0x0403,
  ecdsa_secp384r1_sha384 = 0x0503,
  rsa_pss_rsae_sha256 = 0x0804,
  rsa_pss_rsae_sha384 = 0x0805,
  ed25519 = 0x0807,
};

// What a certificate key can authenticate in TLS 1.2: ECDHE_ECDSA suites take
// EC (ECDSA) and Ed25519 keys (RFC 8422 5.3), ECDHE_RSA suites RSA keys. The
// same split gives the client certificate type (RFC 8422 5.5: ecdsa_sign(64)
// covers EdDSA keys too; RFC 5246 7.4.4: rsa_sign(1)).
enum class KeyFamily { ecdsa, rsa, other };
KeyFamily key_family(EVP_PKEY* key);  // other for null

// The schemes we offer, most preferred first.
const std::vector<SignatureScheme>& supported_schemes();
bool is_supported_scheme(std::uint16_t code);
// Whether a key (EC P-256/P-384, Ed25519 or RSA) can produce/verify this scheme.
bool scheme_fits_key(SignatureScheme s, EVP_PKEY* key);
// First scheme in `offered` (peer's preference order) that fits key; nullopt if none.
std::optional<SignatureScheme> choose_scheme(const std::vector<std::uint16_t>& offered, EVP_PKEY* key);

Bytes sign(EVP_PKEY* key, SignatureScheme s, ByteView data);
bool verify(EVP_PKEY* key, SignatureScheme s, ByteView data, ByteView sig);

}  // namespace wireproof::crypto
