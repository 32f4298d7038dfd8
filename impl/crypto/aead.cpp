#include "impl/crypto/aead.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include <cstring>

namespace wireproof::crypto {

namespace {
const EVP_CIPHER* cipher_for(AeadKind k) {
  switch (k) {
    case AeadKind::aes_128_gcm: return EVP_aes_128_gcm();
    case AeadKind::aes_256_gcm: return EVP_aes_256_gcm();
    case AeadKind::chacha20_poly1305: return EVP_chacha20_poly1305();
  }
  return nullptr;
}
}  // namespace

std::size_t aead_key_len(AeadKind k) { return k == AeadKind::aes_128_gcm ? 16 : 32; }

Aead::Aead(AeadKind kind, ByteView key) : kind_(kind), key_(key.begin(), key.end()) {
  if (key.size() != aead_key_len(kind)) throw CryptoError("AEAD key has the wrong length");
}

Aead::~Aead() {
  if (!key_.empty()) OPENSSL_cleanse(key_.data(), key_.size());
}

// Both GCM and ChaCha20-Poly1305 take a 12-byte IV and a 16-byte tag through the
// same EVP_CTRL_AEAD_* controls. The first call per direction creates the
// context and runs the key schedule; later calls only install the nonce
// (EVP_CipherInit_ex with no cipher and no key keeps the schedule and resets
// the per-message GCM/Poly1305 state).
EVP_CIPHER_CTX* Aead::ready(bool encrypt, ByteView nonce) {
  if (nonce.size() != kAeadNonceLen) throw CryptoError("AEAD nonce must be 12 bytes");
  CipherCtxPtr& slot = encrypt ? seal_ctx_ : open_ctx_;
  const int enc = encrypt ? 1 : 0;
  if (!slot) {
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher_for(kind_), nullptr, nullptr, nullptr, enc) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) != 1 ||
        EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key_.data(), nonce.data(), enc) != 1)
      throw CryptoError("AEAD init");
    slot = std::move(ctx);
    return slot.get();
  }
  if (EVP_CipherInit_ex(slot.get(), nullptr, nullptr, nullptr, nonce.data(), enc) != 1) {
    slot.reset();  // start from a fresh context next time
    throw CryptoError("AEAD nonce");
  }
  return slot.get();
}

Bytes Aead::seal(ByteView nonce, ByteView aad, ByteView plaintext) {
  Bytes out;
  seal_append(nonce, aad, plaintext, out);
  return out;
}

void Aead::seal_append(ByteView nonce, ByteView aad, ByteView plaintext, Bytes& out) {
  EVP_CIPHER_CTX* ctx = ready(true, nonce);
  const std::size_t at = out.size();
  out.resize(at + plaintext.size() + kAeadTagLen);
  std::uint8_t* dst = out.data() + at;
  int n = 0;
  if (!aad.empty() && EVP_CipherUpdate(ctx, nullptr, &n, aad.data(), static_cast<int>(aad.size())) != 1) {
    out.resize(at);
    throw CryptoError("AEAD aad");
  }
  int len = 0;
  if ((!plaintext.empty() &&
       EVP_CipherUpdate(ctx, dst, &len, plaintext.data(), static_cast<int>(plaintext.size())) != 1) ||
      EVP_CipherFinal_ex(ctx, dst + len, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kAeadTagLen, dst + plaintext.size()) != 1) {
    out.resize(at);
    throw CryptoError("AEAD seal");
  }
}

std::optional<Bytes> Aead::open(ByteView nonce, ByteView aad, ByteView in) {
  if (in.size() < kAeadTagLen) return std::nullopt;
  std::size_t ct_len = in.size() - kAeadTagLen;
  EVP_CIPHER_CTX* ctx = ready(false, nonce);
  Bytes out(ct_len);
  int n = 0;
  if (!aad.empty() && EVP_CipherUpdate(ctx, nullptr, &n, aad.data(), static_cast<int>(aad.size())) != 1)
    return std::nullopt;
  int len = 0;
  if (ct_len != 0 && EVP_CipherUpdate(ctx, out.data(), &len, in.data(), static_cast<int>(ct_len)) != 1)
    return std::nullopt;
  // The tag must be set before Final; it is copied, so the const_cast does not write through.
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kAeadTagLen, const_cast<std::uint8_t*>(in.data() + ct_len)) != 1)
    return std::nullopt;
  if (EVP_CipherFinal_ex(ctx, out.data() + len, &n) != 1) return std::nullopt;
  return out;
}

// ---- GcmRecord

namespace {
void store_be64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
}
}  // namespace

GcmRecord::GcmRecord(AeadKind kind, ByteView key, ByteView salt) : kind_(kind), key_(key.begin(), key.end()) {
  if (kind == AeadKind::chacha20_poly1305) throw CryptoError("GcmRecord is for AES-GCM");
  if (key.size() != aead_key_len(kind)) throw CryptoError("AEAD key has the wrong length");
  if (salt.size() != kSaltLen) throw CryptoError("GCM record salt must be 4 bytes");
  std::memcpy(nonce_, salt.data(), kSaltLen);
}

GcmRecord::~GcmRecord() {
  if (!key_.empty()) OPENSSL_cleanse(key_.data(), key_.size());
}

// Keys the direction's context on first use. Both directions use the TLS
// record parameters, which need the salt as the fixed part of the nonce: the
// open side gets it here (the explicit part comes with each record); the seal
// side gets the whole nonce before its first record.
EVP_CIPHER_CTX* GcmRecord::keyed(bool encrypt) {
  CipherCtxPtr& slot = encrypt ? seal_ctx_ : open_ctx_;
  if (slot) return slot.get();
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher_for(kind_), nullptr, key_.data(), nullptr, encrypt ? 1 : 0) != 1)
    throw CryptoError("GCM record init");
  if (!encrypt && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IV_FIXED, static_cast<int>(kSaltLen), nonce_) != 1)
    throw CryptoError("GCM record salt");
  slot = std::move(ctx);
  return slot.get();
}

void GcmRecord::seal_append(std::uint64_t explicit_nonce, ByteView aad, ByteView plaintext, Bytes& out) {
  if (aad.size() != kAadLen) throw CryptoError("GCM record AAD must be 13 bytes");
  if (plaintext.size() > (1u << 14)) throw CryptoError("GCM record plaintext above 2^14");
  EVP_CIPHER_CTX* ctx = keyed(true);
  if (!counter_valid_ || explicit_nonce != next_explicit_) {
    // The whole nonce (arg -1: salt and invocation field both given), after which
    // the cipher counts the invocation field up by one per record.
    store_be64(nonce_ + kSaltLen, explicit_nonce);
    counter_valid_ = false;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IV_FIXED, -1, nonce_) != 1) throw CryptoError("GCM record nonce");
  }
  // TLS record mode wants the AAD's length field to cover explicit || plaintext.
  std::memcpy(aad_, aad.data(), kAadLen);
  const std::size_t body = kExplicitLen + plaintext.size();
  aad_[kAadLen - 2] = static_cast<std::uint8_t>(body >> 8);
  aad_[kAadLen - 1] = static_cast<std::uint8_t>(body);
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_AAD, aad_, kAadLen), OSSL_PARAM_construct_end()};
  const std::size_t at = out.size();
  // In place: room for the explicit part, the plaintext, room for the tag.
  out.resize(at + kExplicitLen);
  out.insert(out.end(), plaintext.begin(), plaintext.end());
  out.resize(out.size() + kAeadTagLen);
  std::uint8_t* rec = out.data() + at;
  const int len = static_cast<int>(body + kAeadTagLen);
  int n = 0;
  if (EVP_CIPHER_CTX_set_params(ctx, params) != 1 || EVP_CipherUpdate(ctx, rec, &n, rec, len) != 1 || n != len) {
    out.resize(at);
    counter_valid_ = false;
    throw CryptoError("GCM record seal");
  }
  std::uint8_t want[kExplicitLen];
  store_be64(want, explicit_nonce);
  if (std::memcmp(rec, want, kExplicitLen) != 0) {
    // libcrypto did not use the nonce we meant: never let this record out.
    out.resize(at);
    counter_valid_ = false;
    throw CryptoError("GCM record: libcrypto's explicit nonce differs from the caller's");
  }
  next_explicit_ = explicit_nonce + 1;
  counter_valid_ = true;
}

bool GcmRecord::open(ByteView aad, ByteView fragment, Bytes& out) {
  if (aad.size() != kAadLen) throw CryptoError("GCM record AAD must be 13 bytes");
  if (fragment.size() < kExplicitLen + kAeadTagLen) return false;
  EVP_CIPHER_CTX* ctx = keyed(false);
  const std::size_t ct_len = fragment.size() - kExplicitLen - kAeadTagLen;
  std::memcpy(tag_, fragment.data() + kExplicitLen + ct_len, kAeadTagLen);
  // The record's explicit part completes the nonce (and restarts GCM); the tag
  // is checked by the final call.
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag_, kAeadTagLen),
      OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_SET_IV_INV,
                                        const_cast<std::uint8_t*>(fragment.data()), kExplicitLen),
      OSSL_PARAM_construct_end()};
  out.resize(ct_len);
  int n = 0, len = 0;
  if (EVP_CIPHER_CTX_set_params(ctx, params) != 1 ||
      EVP_CipherUpdate(ctx, nullptr, &n, aad.data(), static_cast<int>(kAadLen)) != 1 ||
      (ct_len != 0 &&
       EVP_CipherUpdate(ctx, out.data(), &len, fragment.data() + kExplicitLen, static_cast<int>(ct_len)) != 1) ||
      EVP_CipherFinal_ex(ctx, out.data() + len, &n) != 1) {
    out.clear();  // no unauthenticated plaintext handed on
    return false;
  }
  return true;
}

}  // namespace wireproof::crypto
