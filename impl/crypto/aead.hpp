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

// AES-GCM as TLS 1.2 and DTLS 1.2 records use it (RFC 5288 3): the nonce is
// a 4-byte salt (the write IV) || an 8-byte explicit part that travels at the
// front of the record fragment; the AAD is the 13-byte TLS one (seq_num,
// type, version, plaintext length). Same bytes as Aead with nonce salt ||
// explicit, fewer libcrypto calls per record:
// - seal runs libcrypto's TLS record mode (the path libssl itself takes): one
//   parameter call and one in-place cipher call per record. The cipher counts
//   the explicit part up by one per record; when the caller's explicit part is
//   not the next one (first record, a jump) the whole nonce is set again, and
//   the explicit part libcrypto wrote is checked against the caller's.
// - open sets the explicit part and the tag in one parameter call, then AAD,
//   ciphertext and final, out of place; no per-record EVP_CipherInit_ex.
// Like Aead, each direction keys its context on first use; not thread-safe.
class GcmRecord {
 public:
  static constexpr std::size_t kExplicitLen = 8;
  static constexpr std::size_t kSaltLen = 4;
  static constexpr std::size_t kAadLen = 13;
  // kind: aes_128_gcm or aes_256_gcm. Throws CryptoError on a wrong kind or length.
  GcmRecord(AeadKind kind, ByteView key, ByteView salt);
  ~GcmRecord();
  GcmRecord(GcmRecord&&) noexcept = default;
  GcmRecord& operator=(GcmRecord&&) noexcept = default;

  // Appends explicit (big-endian) || ciphertext || tag to out. aad: kAadLen bytes,
  // its last two the plaintext length (at most 2^14). explicit_nonce must never
  // repeat under one key (DTLS: epoch || seq).
  void seal_append(std::uint64_t explicit_nonce, ByteView aad, ByteView plaintext, Bytes& out);
  // fragment: explicit || ciphertext || tag. Replaces out with the plaintext;
  // false (out unspecified) when the fragment is short or fails authentication.
  bool open(ByteView aad, ByteView fragment, Bytes& out);

 private:
  EVP_CIPHER_CTX* keyed(bool encrypt);

  AeadKind kind_;
  Bytes key_;
  std::uint8_t nonce_[kAeadNonceLen] = {};  // salt || explicit
  std::uint8_t aad_[kAadLen] = {};          // what the next parameter call reads
  std::uint8_t tag_[kAeadTagLen] = {};
  std::uint64_t next_explicit_ = 0;         // the seal context's counter, once valid
  bool counter_valid_ = false;
  CipherCtxPtr seal_ctx_, open_ctx_;
};

}  // namespace wireproof::crypto
