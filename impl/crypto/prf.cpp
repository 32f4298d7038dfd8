#include "impl/crypto/prf.hpp"

#include <openssl/core_names.h>

#include "impl/crypto/evp_ptr.hpp"

namespace wireproof::crypto {

Bytes tls12_prf(Hash h, ByteView secret, std::string_view label, ByteView seed, std::size_t out_len) {
  KdfPtr kdf(EVP_KDF_fetch(nullptr, "TLS1-PRF", nullptr));
  if (!kdf) throw CryptoError("EVP_KDF_fetch TLS1-PRF");
  KdfCtxPtr ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) throw CryptoError("EVP_KDF_CTX_new");
  // TLS1-PRF concatenates repeated seed parameters: label first, then seed (RFC 5246 5).
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(hash_name(h)), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, const_cast<std::uint8_t*>(secret.data()),
                                        secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, const_cast<char*>(label.data()), label.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, const_cast<std::uint8_t*>(seed.data()), seed.size()),
      OSSL_PARAM_construct_end(),
  };
  Bytes out(out_len);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) throw CryptoError("TLS1-PRF derive");
  return out;
}

}  // namespace wireproof::crypto
