// AEAD ciphers used by the TLS 1.2 suites (RFC 5288 GCM, RFC 7905 ChaCha20-Poly1305).
// The caller builds the nonce; this layer only seals/opens with a 16-byte tag.
//
// The key schedule runs once per direction: the first seal (open) keys a
// cipher context that later seals (opens) reuse, setting only the nonce, AAD
// and tag per call. seal/open therefore modify the object: one Aead must not
// be used from two threads at once.
#pragma once

#include <optional>

#include "impl/crypto/evp_ptr.hpp"
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
  ~Aead();
  Aead(Aead&&) noexcept = default;
  Aead& operator=(Aead&&) noexcept = default;

  AeadKind kind() const { return kind_; }
  // Returns ciphertext || tag.
  Bytes seal(ByteView nonce, ByteView aad, ByteView plaintext);
  // Appends ciphertext || tag to out (which must not overlap plaintext).
  void seal_append(ByteView nonce, ByteView aad, ByteView plaintext, Bytes& out);
  // Returns the plaintext, or nullopt when authentication fails (or the input is shorter than a tag).
  std::optional<Bytes> open(ByteView nonce, ByteView aad, ByteView ciphertext_and_tag);

 private:
  // The context for one direction, keyed on first use; the nonce set to nonce.
  EVP_CIPHER_CTX* ready(bool encrypt, ByteView nonce);

  AeadKind kind_;
  Bytes key_;
  CipherCtxPtr seal_ctx_, open_ctx_;
};

}  // namespace wireproof::crypto
