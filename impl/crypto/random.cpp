#include "impl/crypto/random.hpp"

#include <openssl/rand.h>

namespace wireproof::crypto {

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  if (n && RAND_bytes(out.data(), static_cast<int>(n)) != 1) throw CryptoError("RAND_bytes");
  return out;
}

Bytes random_bytes(std::size_t n, const RandomSource& src) {
  if (!src) return random_bytes(n);
  Bytes out(n);
  src(out);
  return out;
}

}  // namespace wireproof::crypto
