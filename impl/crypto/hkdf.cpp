#include "impl/crypto/hkdf.hpp"

#include <openssl/core_names.h>
#include <openssl/kdf.h>

#include <vector>

#include "impl/crypto/evp_ptr.hpp"

namespace wireproof::crypto {

namespace {

Bytes hkdf(Hash h, int mode, ByteView key, ByteView salt, ByteView info, std::size_t out_len) {
  KdfPtr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) throw CryptoError("EVP_KDF_fetch HKDF");
  KdfCtxPtr ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) throw CryptoError("EVP_KDF_CTX_new");
  // Only the parameters the mode reads, and none empty: libcrypto refuses an empty octet string.
  std::vector<OSSL_PARAM> params{
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(hash_name(h)), 0),
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(key.data()), key.size())};
  if (!salt.empty())
    params.push_back(OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()), salt.size()));
  if (!info.empty())
    params.push_back(OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<std::uint8_t*>(info.data()), info.size()));
  params.push_back(OSSL_PARAM_construct_end());
  Bytes out(out_len);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params.data()) != 1) throw CryptoError("HKDF derive");
  return out;
}

}  // namespace

Bytes hkdf_extract(Hash h, ByteView salt, ByteView ikm) {
  // RFC 5869 2.2: an absent salt is hash_len zeros (libcrypto wants it explicit).
  Bytes zeros(hash_len(h), 0);
  return hkdf(h, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, salt.empty() ? ByteView(zeros) : salt, {}, hash_len(h));
}

Bytes hkdf_expand(Hash h, ByteView prk, ByteView info, std::size_t out_len) {
  return hkdf(h, EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, {}, info, out_len);
}

Bytes hkdf_expand_label(Hash h, ByteView secret, std::string_view label, ByteView context, std::size_t out_len) {
  const std::string full = "tls13 " + std::string(label);
  Bytes info{static_cast<std::uint8_t>(out_len >> 8), static_cast<std::uint8_t>(out_len),
             static_cast<std::uint8_t>(full.size())};
  info.insert(info.end(), full.begin(), full.end());
  info.push_back(static_cast<std::uint8_t>(context.size()));
  info.insert(info.end(), context.begin(), context.end());
  return hkdf_expand(h, secret, info, out_len);
}

}  // namespace wireproof::crypto
