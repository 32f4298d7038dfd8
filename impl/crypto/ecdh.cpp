#include "impl/crypto/ecdh.hpp"

#include <openssl/core_names.h>
#include <openssl/param_build.h>

namespace wireproof::crypto {

namespace {
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, FreeWith<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, FreeWith<OSSL_PARAM_free>>;

Bytes encoded_public(EVP_PKEY* key) {
  unsigned char* buf = nullptr;
  std::size_t n = EVP_PKEY_get1_encoded_public_key(key, &buf);
  if (n == 0) throw CryptoError("EVP_PKEY_get1_encoded_public_key");
  Bytes out(buf, buf + n);
  OPENSSL_free(buf);
  return out;
}

// Builds a public-only key from the wire encoding; checks it lies on the curve.
PkeyPtr peer_key(Group g, ByteView pub) {
  if (g == Group::x25519) {
    if (pub.size() != 32) return nullptr;
    return PkeyPtr(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, pub.data(), pub.size()));
  }
  // RFC 8422 5.4.1: uncompressed form only (we advertise only "uncompressed").
  if (pub.size() != 65 || pub[0] != 0x04) return nullptr;
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size()) != 1)
    return nullptr;
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return nullptr;
  PkeyPtr key(raw);
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return key;
}
}  // namespace

const char* group_name(Group g) { return g == Group::x25519 ? "x25519" : "secp256r1"; }
bool is_supported_group(std::uint16_t code) { return code == 23 || code == 29; }

EcdhKey::EcdhKey(Group g, PkeyPtr key) : group_(g), key_(std::move(key)), public_(encoded_public(key_.get())) {}

EcdhKey EcdhKey::generate(Group g) {
  PkeyPtr key(g == Group::x25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519")
                                 : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "prime256v1"));
  if (!key) throw CryptoError(std::string("keygen ") + group_name(g));
  return EcdhKey(g, std::move(key));
}

EcdhKey EcdhKey::from_x25519_private(ByteView priv) {
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv.data(), priv.size()));
  if (!key) throw CryptoError("x25519 raw private key");
  return EcdhKey(Group::x25519, std::move(key));
}

std::optional<Bytes> EcdhKey::derive(ByteView peer_public) const {
  PkeyPtr peer = peer_key(group_, peer_public);
  if (!peer) return std::nullopt;
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  std::size_t n = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &n) != 1)
    return std::nullopt;
  Bytes out(n);
  if (EVP_PKEY_derive(ctx.get(), out.data(), &n) != 1) return std::nullopt;
  out.resize(n);
  // RFC 7748 6.1: an all-zero x25519 output means a small-order peer point.
  if (group_ == Group::x25519) {
    std::uint8_t acc = 0;
    for (auto b : out) acc |= b;
    if (acc == 0) return std::nullopt;
  }
  return out;
}

}  // namespace wireproof::crypto
