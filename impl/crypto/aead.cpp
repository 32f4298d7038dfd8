#include "impl/crypto/aead.hpp"

#include <openssl/crypto.h>

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

}  // namespace wireproof::crypto
