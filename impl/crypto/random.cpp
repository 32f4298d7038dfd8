#include "impl/crypto/random.hpp"

#include <openssl/rand.h>

namespace wireproof::crypto {

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  if (n && RAND_bytes(out.data(), static_cast<int>(n)) != 1) throw CryptoError("RAND_bytes");
  return out;
}

}  // namespace wireproof::crypto
