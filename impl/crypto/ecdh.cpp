#include "impl/crypto/ecdh.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

namespace wireproof::crypto {

namespace {
Bytes encoded_public(EVP_PKEY* key) {
  unsigned char* buf = nullptr;
  std::size_t n = EVP_PKEY_get1_encoded_public_key(key, &buf);
  if (n == 0) throw CryptoError("EVP_PKEY_get1_encoded_public_key");
  Bytes out(buf, buf + n);
  OPENSSL_free(buf);
  return out;
}

// Builds a public-only key from the wire encoding; checks it lies on the curve.
// P-256 has cofactor 1, so a point on the curve that is not the point at
// infinity has order n: the partial (quick) validation of SP 800-56A
// 5.6.2.3.4 suffices and the full check's extra n*Q scalar multiplication is
// skipped. The key is validated here, once; derive() does not validate again.
PkeyPtr peer_key(Group g, EVP_PKEY* own, ByteView pub) {
  if (g == Group::x25519) {
    if (pub.size() != 32) return nullptr;
    return PkeyPtr(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, pub.data(), pub.size()));
  }
  // RFC 8422 5.4.1: uncompressed form only (we advertise only "uncompressed").
  if (pub.size() != 65 || pub[0] != 0x04) return nullptr;
  // The group comes from our own key (copying it is cheaper than building
  // the key from named-group parameters); decoding the point checks it is on the curve.
  PkeyPtr key(EVP_PKEY_new());
  if (!key || EVP_PKEY_copy_parameters(key.get(), own) != 1 ||
      EVP_PKEY_set1_encoded_public_key(key.get(), pub.data(), pub.size()) != 1)
    return nullptr;
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check_quick(check.get()) != 1) return nullptr;
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

EcdhKey EcdhKey::generate(Group g, const RandomSource& src) {
  if (!src) return generate(g);
  if (g == Group::x25519) return from_x25519_private(random_bytes(32, src));
  std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)> grp(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1),
                                                          &EC_GROUP_free);
  std::unique_ptr<BIGNUM, decltype(&BN_clear_free)> d(BN_new(), &BN_clear_free);
  if (!grp || !d) throw CryptoError("P-256 group");
  for (;;) {  // rejection sampling: uniform in [1, n-1]
    Bytes cand = random_bytes(32, src);
    if (!BN_bin2bn(cand.data(), 32, d.get())) throw CryptoError("BN_bin2bn");
    if (!BN_is_zero(d.get()) && BN_cmp(d.get(), EC_GROUP_get0_order(grp.get())) < 0) break;
  }
  std::unique_ptr<EC_POINT, decltype(&EC_POINT_free)> q(EC_POINT_new(grp.get()), &EC_POINT_free);
  unsigned char pub[65];
  if (!q || EC_POINT_mul(grp.get(), q.get(), d.get(), nullptr, nullptr, nullptr) != 1 ||
      EC_POINT_point2oct(grp.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, pub, sizeof pub, nullptr) != sizeof pub)
    throw CryptoError("P-256 public point");
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(), &OSSL_PARAM_BLD_free);
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub) != 1)
    throw CryptoError("P-256 key params");
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld.get()), &OSSL_PARAM_free);
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()) != 1)
    throw CryptoError("P-256 key from scalar");
  return EcdhKey(g, PkeyPtr(raw));
}

EcdhKey EcdhKey::from_x25519_private(ByteView priv) {
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv.data(), priv.size()));
  if (!key) throw CryptoError("x25519 raw private key");
  return EcdhKey(Group::x25519, std::move(key));
}

std::optional<Bytes> EcdhKey::derive(ByteView peer_public) const {
  PkeyPtr peer = peer_key(group_, key_.get(), peer_public);
  if (!peer) return std::nullopt;
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  std::size_t n = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.get(), /*validate_peer=*/0) != 1 ||
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
