// AEAD ciphers used by the TLS 1.2 suites (RFC 5288 GCM, RFC 7905 ChaCha20-Poly1305).
// The caller builds the nonce; this layer only seals/opens with a 16-byte tag.
#pragma once

#include <optional>

#include "impl/crypto/types.hpp"

namespace wireproof::crypto {

enum class AeadKind { aes_128_gcm, aes_256_gcm, chacha20_poly1305 };

constexpr std::size_t kAeadTagLen = 16;
constexpr std::size_t kAeadNonceLen = 12;
std::size_t aead_key_len(AeadKind k);

class Aead {
 public:
  // Throws CryptoError if key has the wrong length.
  Aead(AeadKind kind, ByteView key);

  AeadKind kind() const { return kind_; }
  // Returns ciphertext || tag.
  Bytes seal(ByteView nonce, ByteView aad, ByteView plaintext) const;
  // Returns the plaintext, or nullopt when authentication fails (or the input is shorter than a tag).
  std::optional<Bytes> open(ByteView nonce, ByteView aad, ByteView ciphertext_and_tag) const;

 private:
  AeadKind kind_;
  Bytes key_;
};

}  // namespace wireproof::crypto
