#include "impl/crypto/aead.hpp"

#include "impl/crypto/evp_ptr.hpp"

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

// Both GCM and ChaCha20-Poly1305 take a 12-byte IV and a 16-byte tag through the
// same EVP_CTRL_AEAD_* controls.
CipherCtxPtr init(AeadKind k, ByteView key, ByteView nonce, bool encrypt) {
  if (nonce.size() != kAeadNonceLen) throw CryptoError("AEAD nonce must be 12 bytes");
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex(ctx.get(), cipher_for(k), nullptr, nullptr, nullptr, encrypt ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) != 1 ||
      EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data(), -1) != 1)
    throw CryptoError("AEAD init");
  return ctx;
}
}  // namespace

std::size_t aead_key_len(AeadKind k) { return k == AeadKind::aes_128_gcm ? 16 : 32; }

Aead::Aead(AeadKind kind, ByteView key) : kind_(kind), key_(key.begin(), key.end()) {
  if (key.size() != aead_key_len(kind)) throw CryptoError("AEAD key has the wrong length");
}

Bytes Aead::seal(ByteView nonce, ByteView aad, ByteView plaintext) const {
  CipherCtxPtr ctx = init(kind_, key_, nonce, true);
  Bytes out(plaintext.size() + kAeadTagLen);
  int n = 0;
  if (!aad.empty() && EVP_CipherUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())) != 1)
    throw CryptoError("AEAD aad");
  int len = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &len, plaintext.data(), static_cast<int>(plaintext.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + len, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kAeadTagLen, out.data() + plaintext.size()) != 1)
    throw CryptoError("AEAD seal");
  return out;
}

std::optional<Bytes> Aead::open(ByteView nonce, ByteView aad, ByteView in) const {
  if (in.size() < kAeadTagLen) return std::nullopt;
  std::size_t ct_len = in.size() - kAeadTagLen;
  CipherCtxPtr ctx = init(kind_, key_, nonce, false);
  Bytes out(ct_len);
  int n = 0;
  if (!aad.empty() && EVP_CipherUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())) != 1)
    return std::nullopt;
  int len = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(), static_cast<int>(ct_len)) != 1) return std::nullopt;
  // The tag must be set before Final; it is copied, so the const_cast does not write through.
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kAeadTagLen,
                          const_cast<std::uint8_t*>(in.data() + ct_len)) != 1)
    return std::nullopt;
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + len, &n) != 1) return std::nullopt;
  return out;
}

}  // namespace wireproof::crypto
