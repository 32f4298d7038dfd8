#include "impl/dtls/cipher_suites.hpp"

namespace wireproof::dtls {

using crypto::AeadKind;
using crypto::Hash;

const std::vector<CipherSuite>& all_cipher_suites() {
  static const std::vector<CipherSuite> kSuites = {
      {0xc02b, "ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", KeyExchange::ecdhe_ecdsa, AeadKind::aes_128_gcm, Hash::sha256, 4},
      {0xc02c, "ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", KeyExchange::ecdhe_ecdsa, AeadKind::aes_256_gcm, Hash::sha384, 4},
      {0xcca9, "ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", KeyExchange::ecdhe_ecdsa, AeadKind::chacha20_poly1305, Hash::sha256,
       12},
      {0xc02f, "ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", KeyExchange::ecdhe_rsa, AeadKind::aes_128_gcm, Hash::sha256, 4},
      {0xc030, "ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", KeyExchange::ecdhe_rsa, AeadKind::aes_256_gcm, Hash::sha384, 4},
      {0xcca8, "ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", KeyExchange::ecdhe_rsa, AeadKind::chacha20_poly1305, Hash::sha256, 12},
      {0x00a8, "PSK-AES128-GCM-SHA256", "TLS_PSK_WITH_AES_128_GCM_SHA256", KeyExchange::psk, AeadKind::aes_128_gcm, Hash::sha256, 4},
  };
  return kSuites;
}

const CipherSuite* find_cipher_suite(std::uint16_t code) {
  for (const auto& s : all_cipher_suites())
    if (s.code == code) return &s;
  return nullptr;
}

std::vector<std::uint16_t> default_cipher_suite_codes() {
  std::vector<std::uint16_t> out;
  for (const auto& s : all_cipher_suites())
    if (s.kx != KeyExchange::psk) out.push_back(s.code);
  return out;
}

}  // namespace wireproof::dtls
