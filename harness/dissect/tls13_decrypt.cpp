#include "harness/dissect/tls_decrypt.hpp"

#include <array>

#include "harness/dissect/dtls_record_walk.hpp"
#include "impl/crypto/hkdf.hpp"

namespace wireproof::dissect {

namespace {

// One traffic key (RFC 8446 7.3) and its record sequence number.
struct TrafficKey {
  TrafficKey(Tls13Suite suite, const crypto::Bytes& secret)
      : secret(secret),
        aead(suite.aead, crypto::hkdf_expand_label(suite.hash, secret, "key", {}, crypto::aead_key_len(suite.aead))),
        iv(crypto::hkdf_expand_label(suite.hash, secret, "iv", {}, crypto::kAeadNonceLen)) {}

  // 5.3: the 64-bit sequence number, left-padded, XORed into the IV.
  crypto::Bytes nonce() const {
    crypto::Bytes n = iv;
    for (int i = 0; i < 8; ++i) n[n.size() - 1 - i] ^= static_cast<std::uint8_t>(seq >> (8 * i));
    return n;
  }

  crypto::Bytes secret;
  crypto::Aead aead;
  crypto::Bytes iv;
  std::uint64_t seq = 0;
};

}  // namespace

std::optional<Tls13Suite> tls13_suite(std::uint16_t cipher_suite) {
  switch (cipher_suite) {
    case 0x1301: return Tls13Suite{crypto::AeadKind::aes_128_gcm, crypto::Hash::sha256};
    case 0x1302: return Tls13Suite{crypto::AeadKind::aes_256_gcm, crypto::Hash::sha384};
    case 0x1303: return Tls13Suite{crypto::AeadKind::chacha20_poly1305, crypto::Hash::sha256};
    default: return std::nullopt;
  }
}

TlsDecryption decrypt_tls13(const TlsRecordWalk& walk, Tls13Suite suite, const std::vector<std::uint8_t>& handshake_secret,
                              const std::vector<std::uint8_t>* application_secret) {
  TlsDecryption out;
  HandshakeReassembler handshake;
  std::optional<TrafficKey> key;
  key.emplace(suite, handshake_secret);
  int generation = 0;
  for (const auto& rec : walk.records) {
    if (rec.type != kApplicationData) continue;  // CCS, and the hellos and alerts sent before keys, are in clear
    if (!key) {
      out.fault = record_fault(rec.index, rec.offset, "no application traffic secret logged for this direction");
      break;
    }
    // 5.2: the additional data is the record header itself.
    const std::array<std::uint8_t, kTlsRecordHeader> aad{rec.type, static_cast<std::uint8_t>(rec.version >> 8),
                                                         static_cast<std::uint8_t>(rec.version),
                                                         static_cast<std::uint8_t>(rec.length >> 8),
                                                         static_cast<std::uint8_t>(rec.length)};
    auto plain = key->aead.open(key->nonce(), aad, rec.body);
    if (!plain) {
      out.fault = record_fault(rec.index, rec.offset,
                               "does not authenticate under the " +
                                   std::string(generation == 0 ? "handshake traffic key"
                                                               : "application traffic key, generation " +
                                                                     std::to_string(generation)) +
                                   " (sequence number " + std::to_string(key->seq) + ")");
      break;
    }
    ++key->seq;
    // 5.4: TLSInnerPlaintext = content || type || zeros.
    std::size_t end = plain->size();
    while (end > 0 && (*plain)[end - 1] == 0) --end;
    if (end == 0) {
      out.fault = record_fault(rec.index, rec.offset, "decrypted record has no non-zero content type (RFC 8446 5.4)");
      break;
    }
    DecryptedRecord d;
    d.record = rec.index;
    d.inner_type = (*plain)[end - 1];
    d.padding = plain->size() - end;
    d.content.assign(plain->begin(), plain->begin() + static_cast<std::ptrdiff_t>(end - 1));
    d.generation = generation;
    bool rekey = false;
    if (d.inner_type == kHandshake) {
      const std::size_t before = handshake.completed().size();
      handshake.add(rec.index, rec.offset + kTlsRecordHeader, d.content);
      for (std::size_t i = before; i < handshake.completed().size(); ++i) {
        const auto type = handshake.completed()[i].type;
        rekey |= (generation == 0 && type == kHsFinished) || (generation > 0 && type == kHsKeyUpdate);
      }
    }
    out.records.push_back(std::move(d));
    if (!rekey) continue;
    // After Finished: application traffic secret 0 (7.1); after a KeyUpdate: the next generation (7.2).
    const crypto::Bytes* next = generation == 0 ? application_secret : nullptr;
    crypto::Bytes updated;
    if (generation > 0) {
      updated = crypto::hkdf_expand_label(suite.hash, key->secret, "traffic upd", {}, crypto::hash_len(suite.hash));
      next = &updated;
    }
    ++generation;
    if (next) key.emplace(suite, *next);
    else key.reset();
  }
  out.handshake = std::move(handshake).finish();
  return out;
}

}  // namespace wireproof::dissect
