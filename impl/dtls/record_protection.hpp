// AEAD protection of one record's fragment.
// - AES-GCM (RFC 5288 3): nonce = 4-byte implicit salt (client/server_write_IV)
//   || 8-byte explicit nonce carried at the front of the fragment; we send
//   epoch||seq as the explicit part, which never repeats under one key.
//   Done by crypto::GcmRecord (libcrypto's TLS record path, fewer calls per record).
// - ChaCha20-Poly1305 (RFC 7905 2): nonce = 12-byte write IV xor the
//   left-padded epoch||seq; nothing explicit on the wire.
// AAD (RFC 5246 6.2.3.3 with the DTLS seq_num of RFC 6347 4.1.2.1):
//   epoch||seq (8) || type (1) || version (2) || plaintext length (2).
#pragma once

#include <array>
#include <optional>

#include "impl/crypto/aead.hpp"
#include "impl/dtls/record.hpp"

namespace wireproof::dtls {

class RecordProtection {
 public:
  // iv: 4 bytes for GCM, 12 for ChaCha20-Poly1305 (fixed_iv_length of the suite).
  RecordProtection(crypto::AeadKind kind, crypto::ByteView key, crypto::ByteView iv);

  // Bytes a record grows by: explicit nonce (GCM only) + tag.
  std::size_t expansion() const;
  // Protects plaintext for a record with header fields h (h.length is ignored),
  // appending the protected fragment (expansion() + plaintext.size() bytes) to out.
  void seal_append(const RecordHeader& h, crypto::ByteView plaintext, crypto::Bytes& out);
  // Opens a fragment into out (replaced); false, with out unspecified, when it is
  // too short or fails authentication.
  bool open(const RecordHeader& h, crypto::ByteView fragment, crypto::Bytes& out);

 private:
  using Nonce = std::array<std::uint8_t, crypto::kAeadNonceLen>;
  using Aad = std::array<std::uint8_t, 13>;
  Nonce chacha_nonce(std::uint64_t seq) const;
  // Written in place: built in a returned array, the bytes were stored one by one
  // and read back as two registers, a store-forwarding stall on every record.
  static void fill_aad(const RecordHeader& h, std::size_t plaintext_len, Aad& a);
  bool explicit_nonce() const { return gcm_.has_value(); }

  std::optional<crypto::GcmRecord> gcm_;  // AES-GCM suites
  std::optional<crypto::Aead> chacha_;    // ChaCha20-Poly1305
  crypto::Bytes iv_;
};

}  // namespace wireproof::dtls
