#include "harness/dissect/dtls_record_walk.hpp"
#include "harness/dissect/tls_decrypt.hpp"
#include "impl/crypto/prf.hpp"

namespace wireproof::dissect {

namespace {

std::size_t fixed_iv_len(crypto::AeadKind k) { return k == crypto::AeadKind::chacha20_poly1305 ? 12 : 4; }

void put_u64(crypto::Bytes& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

}  // namespace

std::optional<Tls12Suite> tls12_suite(std::uint16_t cipher_suite) {
  using crypto::AeadKind;
  using crypto::Hash;
  switch (cipher_suite) {
    case 0x009c: case 0x009e: case 0xc02b: case 0xc02f: return Tls12Suite{AeadKind::aes_128_gcm, Hash::sha256};
    case 0x009d: case 0x009f: case 0xc02c: case 0xc030: return Tls12Suite{AeadKind::aes_256_gcm, Hash::sha384};
    case 0xcca8: case 0xcca9: case 0xccaa: return Tls12Suite{AeadKind::chacha20_poly1305, Hash::sha256};
    default: return std::nullopt;
  }
}

TlsDecryption decrypt_tls12(const TlsRecordWalk& walk, Tls12Suite suite, const std::vector<std::uint8_t>& master_secret,
                            const std::vector<std::uint8_t>& client_random, const std::vector<std::uint8_t>& server_random,
                            bool client_side) {
  TlsDecryption out;
  const std::size_t ccs = first_of_type(walk, kChangeCipherSpec);
  if (ccs == walk.records.size()) return out;  // nothing was protected
  // RFC 5246 6.3: the key block, client keys first; AEAD suites have no MAC keys.
  const std::size_t key_len = crypto::aead_key_len(suite.aead), iv_len = fixed_iv_len(suite.aead);
  crypto::Bytes seed = server_random;
  seed.insert(seed.end(), client_random.begin(), client_random.end());
  const auto block = crypto::tls12_prf(suite.prf, master_secret, "key expansion", seed, 2 * key_len + 2 * iv_len);
  const std::size_t key_at = client_side ? 0 : key_len, iv_at = 2 * key_len + (client_side ? 0 : iv_len);
  crypto::Aead aead(suite.aead, crypto::ByteView(block).subspan(key_at, key_len));
  const crypto::Bytes iv(block.begin() + static_cast<std::ptrdiff_t>(iv_at),
                         block.begin() + static_cast<std::ptrdiff_t>(iv_at + iv_len));
  const bool explicit_nonce = suite.aead != crypto::AeadKind::chacha20_poly1305;  // RFC 5288 3 vs RFC 7905 2
  const std::size_t overhead = (explicit_nonce ? 8 : 0) + crypto::kAeadTagLen;
  HandshakeReassembler handshake;
  std::uint64_t seq = 0;  // 6.1: reset by ChangeCipherSpec
  for (std::size_t k = ccs + 1; k < walk.records.size(); ++k, ++seq) {
    const TlsRecord& rec = walk.records[k];
    if (rec.length < overhead) {
      out.fault = record_fault(rec.index, rec.offset,
                               "protected record of " + std::to_string(rec.length) + " bytes is shorter than its " +
                                   std::to_string(overhead) + "-byte nonce and tag");
      break;
    }
    crypto::Bytes nonce = iv;
    auto ciphertext = rec.body;
    if (explicit_nonce) {
      nonce.insert(nonce.end(), rec.body.begin(), rec.body.begin() + 8);
      ciphertext = rec.body.subspan(8);
    } else {
      for (int i = 0; i < 8; ++i) nonce[nonce.size() - 1 - i] ^= static_cast<std::uint8_t>(seq >> (8 * i));
    }
    // 6.2.3.3: seq_num || type || version || length of the plaintext.
    const std::size_t plain_len = rec.length - overhead;
    crypto::Bytes aad;
    put_u64(aad, seq);
    aad.insert(aad.end(), {rec.type, static_cast<std::uint8_t>(rec.version >> 8), static_cast<std::uint8_t>(rec.version),
                           static_cast<std::uint8_t>(plain_len >> 8), static_cast<std::uint8_t>(plain_len)});
    auto plain = aead.open(nonce, aad, ciphertext);
    if (!plain) {
      out.fault = record_fault(rec.index, rec.offset,
                               std::string("does not authenticate under the ") + (client_side ? "client" : "server") +
                                   " write key (sequence number " + std::to_string(seq) + ")");
      break;
    }
    if (rec.type == kHandshake) handshake.add(rec.index, rec.offset + kTlsRecordHeader, *plain);
    out.records.push_back({rec.index, rec.type, std::move(*plain), 0, 1});
  }
  out.handshake = std::move(handshake).finish();
  return out;
}

}  // namespace wireproof::dissect
