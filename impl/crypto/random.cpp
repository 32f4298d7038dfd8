#include "impl/crypto/random.hpp"

#include <openssl/rand.h>

#include "impl/bytes/writer.hpp"
#include "impl/crypto/hmac.hpp"

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

RandomSource seeded_random(std::uint64_t seed, std::string_view label) {
  bytes::Writer key;
  key.put_u64(seed);
  return [key = key.take(), label = Bytes(label.begin(), label.end()), counter = std::uint64_t{0},
          block = Bytes{}, used = std::size_t{0}](std::span<std::uint8_t> out) mutable {
    for (auto& b : out) {
      if (used == block.size()) {
        bytes::Writer msg;
        msg.put_bytes(label);
        msg.put_u64(counter++);
        block = hmac(Hash::sha256, key, msg.data());
        used = 0;
      }
      b = block[used++];
    }
  };
}

}  // namespace wireproof::crypto
