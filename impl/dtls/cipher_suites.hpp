// The cipher suites the reference stack implements: AEAD-only TLS 1.2 suites
// (RFC 5289, RFC 7905, RFC 5487). Names follow OpenSSL's spelling, which the
// peer contract's handshake_done event reports.
#pragma once

#include <optional>
#include <vector>

#include "impl/crypto/aead.hpp"
#include "impl/crypto/types.hpp"

namespace wireproof::dtls {

enum class KeyExchange { ecdhe_ecdsa, ecdhe_rsa, psk };

struct CipherSuite {
  std::uint16_t code;
  const char* name;  // OpenSSL spelling
  const char* iana;  // RFC / IANA registry name
  KeyExchange kx;
  crypto::AeadKind aead;
  crypto::Hash prf_hash;
  std::size_t fixed_iv_len;  // 4 for GCM (RFC 5288 3), 12 for ChaCha20-Poly1305 (RFC 7905 2)
};

// All suites we implement, in our default preference order.
const std::vector<CipherSuite>& all_cipher_suites();
const CipherSuite* find_cipher_suite(std::uint16_t code);  // null if unknown
std::vector<std::uint16_t> default_cipher_suite_codes();   // certificate-based suites (no PSK)

constexpr std::uint16_t kEmptyRenegotiationInfoScsv = 0x00ff;  // RFC 5746 3.3

}  // namespace wireproof::dtls
