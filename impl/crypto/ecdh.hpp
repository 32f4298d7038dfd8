// Ephemeral ECDH for TLS 1.2 ECDHE (RFC 8422): x25519 and secp256r1, with the
// public values in their wire encodings (x25519: 32 raw bytes; P-256: the
// uncompressed point 0x04 || X || Y, RFC 8422 5.4.1).
#pragma once

#include <optional>

#include "impl/crypto/evp_ptr.hpp"
#include "impl/crypto/random.hpp"
#include "impl/crypto/types.hpp"

namespace wireproof::crypto {

// Values are the TLS NamedGroup codes (RFC 8422 5.1.1, RFC 7748).
enum class Group : std::uint16_t { secp256r1 = 23, x25519 = 29 };
const char* group_name(Group g);  // "x25519" / "secp256r1"
bool is_supported_group(std::uint16_t code);

class EcdhKey {
 public:
  static EcdhKey generate(Group g);
  // The private key drawn from src (x25519: 32 bytes, clamped by X25519 itself; P-256:
  // 32-byte candidates until one lies in [1, n-1]). An empty src is generate(g).
  static EcdhKey generate(Group g, const RandomSource& src);
  // Test hook: a key from a known raw x25519 private key (RFC 7748 vectors).
  static EcdhKey from_x25519_private(ByteView priv);

  Group group() const { return group_; }
  const Bytes& public_value() const { return public_; }
  // Shared secret with the peer's encoded public value; nullopt when the value
  // is malformed or not on the curve (caller sends illegal_parameter).
  std::optional<Bytes> derive(ByteView peer_public) const;

 private:
  EcdhKey(Group g, PkeyPtr key);
  Group group_;
  PkeyPtr key_;
  Bytes public_;
};

}  // namespace wireproof::crypto
