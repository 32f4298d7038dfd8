#include "impl/crypto/types.hpp"

#include <openssl/err.h>

#include "impl/crypto/evp_ptr.hpp"

namespace wireproof::crypto {

namespace {
std::string with_openssl_errors(const std::string& what) {
  std::string out = what;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += "; ";
    out += buf;
  }
  return out;
}
}  // namespace

CryptoError::CryptoError(const std::string& what) : std::runtime_error(with_openssl_errors(what)) {}

const EVP_MD* md_for(Hash h) { return h == Hash::sha384 ? EVP_sha384() : EVP_sha256(); }
std::size_t hash_len(Hash h) { return h == Hash::sha384 ? 48 : 32; }
const char* hash_name(Hash h) { return h == Hash::sha384 ? "SHA384" : "SHA256"; }

Bytes digest(Hash h, ByteView data) {
  Bytes out(hash_len(h));
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &n, md_for(h), nullptr) != 1) throw CryptoError("EVP_Digest");
  out.resize(n);
  return out;
}

}  // namespace wireproof::crypto
