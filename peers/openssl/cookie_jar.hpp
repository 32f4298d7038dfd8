// Stateless HelloVerifyRequest cookies (RFC 6347 4.2.1): an HMAC-SHA256 over
// the client's address and port with a key drawn at random per process, so
// only a client that can receive at its claimed address gets a cookie back.
// Installed on an SSL_CTX; the context's app data points at the CookieJar.
#pragma once

#include <array>
#include <cstdint>

#include <openssl/ssl.h>

namespace wireproof::peers::openssl {

class CookieJar {
 public:
  CookieJar();  // draws the key; throws if the RNG fails
  // Sets the cookie callbacks and SSL_CTX app data; the jar must outlive ctx.
  void install(SSL_CTX* ctx);

 private:
  static int generate(SSL* ssl, unsigned char* cookie, unsigned int* len);
  static int verify(SSL* ssl, const unsigned char* cookie, unsigned int len);
  // HMAC of the peer address of ssl's read BIO into out; false if unknown.
  bool cookie_for(SSL* ssl, unsigned char* out, unsigned int* len) const;

  std::array<std::uint8_t, 32> key_{};
};

}  // namespace wireproof::peers::openssl
