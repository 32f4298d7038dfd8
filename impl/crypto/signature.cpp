#include "impl/crypto/signature.hpp"

#include <openssl/ec.h>
#include <openssl/rsa.h>

namespace wireproof::crypto {

namespace {
Hash hash_of(SignatureScheme s) {
  switch (s) {
    case SignatureScheme::rsa_pkcs1_sha384:
    case SignatureScheme::ecdsa_secp384r1_sha384:
    case SignatureScheme::rsa_pss_rsae_sha384: return Hash::sha384;
    default: return Hash::sha256;
  }
}
bool is_pss(SignatureScheme s) {
  return s == SignatureScheme::rsa_pss_rsae_sha256 || s == SignatureScheme::rsa_pss_rsae_sha384;
}
bool is_ecdsa(SignatureScheme s) {
  return s == SignatureScheme::ecdsa_secp256r1_sha256 || s == SignatureScheme::ecdsa_secp384r1_sha384;
}
bool is_rsa(SignatureScheme s) {
  return s == SignatureScheme::rsa_pkcs1_sha256 || s == SignatureScheme::rsa_pkcs1_sha384 || is_pss(s);
}
// EdDSA hashes internally: DigestSign/VerifyInit takes no digest and the
// signature is one-shot over the whole message (RFC 8032 5.1).
const EVP_MD* md_of(SignatureScheme s) { return s == SignatureScheme::ed25519 ? nullptr : md_for(hash_of(s)); }

// Sets up a DigestSign/DigestVerify context with the scheme's hash and padding.
MdCtxPtr init(EVP_PKEY* key, SignatureScheme s, bool signing) {
  if (!scheme_fits_key(s, key)) throw CryptoError("signature scheme does not fit the key");
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) throw CryptoError("EVP_MD_CTX_new");
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  int ok = signing ? EVP_DigestSignInit(ctx.get(), &pctx, md_of(s), nullptr, key)
                   : EVP_DigestVerifyInit(ctx.get(), &pctx, md_of(s), nullptr, key);
  if (ok != 1) throw CryptoError("DigestSign/VerifyInit");
  if (is_pss(s) && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
    throw CryptoError("RSA-PSS parameters");
  return ctx;
}
}  // namespace

const std::vector<SignatureScheme>& supported_schemes() {
  static const std::vector<SignatureScheme> kSchemes = {
      SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::ecdsa_secp384r1_sha384,
      SignatureScheme::ed25519,
      SignatureScheme::rsa_pss_rsae_sha256,    SignatureScheme::rsa_pss_rsae_sha384,
      SignatureScheme::rsa_pkcs1_sha256,       SignatureScheme::rsa_pkcs1_sha384,
  };
  return kSchemes;
}

bool is_supported_scheme(std::uint16_t code) {
  for (auto s : supported_schemes())
    if (static_cast<std::uint16_t>(s) == code) return true;
  return false;
}

KeyFamily key_family(EVP_PKEY* key) {
  if (!key) return KeyFamily::other;
  if (EVP_PKEY_is_a(key, "EC") || EVP_PKEY_is_a(key, "ED25519")) return KeyFamily::ecdsa;
  if (EVP_PKEY_is_a(key, "RSA")) return KeyFamily::rsa;
  return KeyFamily::other;
}

bool scheme_fits_key(SignatureScheme s, EVP_PKEY* key) {
  if (!key) return false;
  if (EVP_PKEY_is_a(key, "RSA")) return is_rsa(s);
  if (EVP_PKEY_is_a(key, "ED25519")) return s == SignatureScheme::ed25519;
  if (!EVP_PKEY_is_a(key, "EC") || !is_ecdsa(s)) return false;
  // TLS 1.2 does not bind the curve to the scheme, but we keep the natural
  // pairing so a P-256 key signs with SHA-256 (what every peer expects).
  char curve[64] = {0};
  std::size_t n = 0;
  if (EVP_PKEY_get_group_name(key, curve, sizeof curve, &n) != 1) return false;
  std::string c(curve);
  if (s == SignatureScheme::ecdsa_secp256r1_sha256) return c == "prime256v1" || c == "P-256";
  return c == "secp384r1" || c == "P-384";
}

std::optional<SignatureScheme> choose_scheme(const std::vector<std::uint16_t>& offered, EVP_PKEY* key) {
  for (auto code : offered) {
    if (!is_supported_scheme(code)) continue;
    auto s = static_cast<SignatureScheme>(code);
    if (scheme_fits_key(s, key)) return s;
  }
  return std::nullopt;
}

Bytes sign(EVP_PKEY* key, SignatureScheme s, ByteView data) {
  MdCtxPtr ctx = init(key, s, true);
  std::size_t n = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &n, data.data(), data.size()) != 1) throw CryptoError("DigestSign size");
  Bytes out(n);
  if (EVP_DigestSign(ctx.get(), out.data(), &n, data.data(), data.size()) != 1) throw CryptoError("DigestSign");
  out.resize(n);
  return out;
}

bool verify(EVP_PKEY* key, SignatureScheme s, ByteView data, ByteView sig) {
  if (!scheme_fits_key(s, key)) return false;
  MdCtxPtr ctx = init(key, s, false);
  return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), data.data(), data.size()) == 1;
}

}  // namespace wireproof::crypto
