// TLS record protection undone with the secrets a peer logged, with
// libcrypto's HKDF, PRF and AEAD (impl/crypto): the harness's own view of the
// encrypted records, to judge what is inside them. One direction at a time.
//
// TLS 1.3 (RFC 8446 5.2, 5.3, 7.1-7.3): its protected records (outer type 23) are opened
// with the handshake traffic key until the direction's Finished, then with
// application traffic secret 0, and with the next generation after each
// KeyUpdate it sends (7.2). Each key's sequence number starts at 0.
//
//   auto suite = tls13_suite(server_hello.cipher_suite);
//   auto d = decrypt_tls13(walk, *suite, *hs_secret, app_secret);   // app_secret may be null
//   for (auto& r : d.records) ... r.inner_type, r.content, r.padding
//   d.handshake.messages   // EncryptedExtensions ... Finished, NewSessionTicket, KeyUpdate
//   if (d.fault) ...       // where decryption stopped, and why
//
// TLS 1.2 (RFC 5246 6.3, 7.1; RFC 5288 3 AES-GCM, RFC 7905 2 ChaCha20-Poly1305):
// the records after the direction's ChangeCipherSpec, with the key block the
// PRF derives from the logged master secret (CLIENT_RANDOM) and both randoms.
//
//   auto suite = tls12_suite(server_hello.cipher_suite);          // AEAD suites only
//   auto d = decrypt_tls12(walk, *suite, *master, ch.random, sh.random, is_client);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/dissect/tls_records.hpp"
#include "impl/crypto/aead.hpp"
#include "impl/crypto/types.hpp"

namespace wireproof::dissect {

struct Tls13Suite {
  crypto::AeadKind aead;
  crypto::Hash hash;
};
// TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256; nullopt otherwise.
std::optional<Tls13Suite> tls13_suite(std::uint16_t cipher_suite);

inline constexpr std::uint8_t kHsFinished = 20, kHsKeyUpdate = 24;

struct DecryptedRecord {
  std::size_t record = 0;       // index in the walk
  std::uint8_t inner_type = 0;  // 1.3: TLSInnerPlaintext.type; 1.2: the record's type
  std::vector<std::uint8_t> content;
  std::size_t padding = 0;      // 1.3: zero bytes between the content type and the tag
  int generation = 0;           // 1.3: 0 handshake traffic key, 1 application traffic secret 0, n after n-1 KeyUpdates; 1.2: 1
};

struct TlsDecryption {
  std::vector<DecryptedRecord> records;
  // Handshake messages inside them, offsets those of the records carrying them.
  TlsHandshakeMessages handshake;
  // Why decryption stopped before the last protected record, in record_fault's words.
  std::optional<std::string> fault;
};

TlsDecryption decrypt_tls13(const TlsRecordWalk& walk, Tls13Suite suite, const std::vector<std::uint8_t>& handshake_secret,
                              const std::vector<std::uint8_t>* application_secret);

struct Tls12Suite {
  crypto::AeadKind aead;
  crypto::Hash prf;  // the suite's PRF hash (SHA-384 for the *_SHA384 suites)
};
// The AEAD suites of TLS 1.2 (AES-GCM: RFC 5288, RFC 5289; ChaCha20-Poly1305: RFC 7905); nullopt otherwise.
std::optional<Tls12Suite> tls12_suite(std::uint16_t cipher_suite);

// `client_side`: the walk is the client's direction (c2s), so its keys are the client_write ones.
TlsDecryption decrypt_tls12(const TlsRecordWalk& walk, Tls12Suite suite, const std::vector<std::uint8_t>& master_secret,
                            const std::vector<std::uint8_t>& client_random, const std::vector<std::uint8_t>& server_random,
                            bool client_side);

}  // namespace wireproof::dissect
