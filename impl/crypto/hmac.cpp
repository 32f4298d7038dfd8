#include "impl/crypto/hmac.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include "impl/crypto/evp_ptr.hpp"

namespace wireproof::crypto {

Bytes hmac(Hash h, ByteView key, ByteView data) {
  MacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) throw CryptoError("EVP_MAC_fetch HMAC");
  MacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(hash_name(h)), 0),
      OSSL_PARAM_construct_end(),
  };
  Bytes out(hash_len(h));
  std::size_t n = 0;
  if (!ctx || EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &n, out.size()) != 1)
    throw CryptoError("HMAC");
  out.resize(n);
  return out;
}

bool equal_ct(ByteView a, ByteView b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace wireproof::crypto
