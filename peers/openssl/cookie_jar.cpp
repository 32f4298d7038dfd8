#include "peers/openssl/cookie_jar.hpp"

#include <stdexcept>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "peers/openssl/ssl_handles.hpp"

namespace wireproof::peers::openssl {

CookieJar::CookieJar() {
  if (RAND_bytes(key_.data(), static_cast<int>(key_.size())) != 1)
    throw std::runtime_error("cookie key: RAND_bytes failed: " + drain_openssl_errors());
}

void CookieJar::install(SSL_CTX* ctx) {
  SSL_CTX_set_app_data(ctx, this);
  SSL_CTX_set_cookie_generate_cb(ctx, &CookieJar::generate);
  SSL_CTX_set_cookie_verify_cb(ctx, &CookieJar::verify);
}

bool CookieJar::cookie_for(SSL* ssl, unsigned char* out, unsigned int* len) const {
  BioAddrPtr peer(BIO_ADDR_new());
  if (!peer || BIO_dgram_get_peer(SSL_get_rbio(ssl), peer.get()) <= 0) return false;
  std::size_t addr_len = 0;
  if (BIO_ADDR_rawaddress(peer.get(), nullptr, &addr_len) != 1) return false;
  std::vector<unsigned char> msg(addr_len + 2);
  BIO_ADDR_rawaddress(peer.get(), msg.data(), &addr_len);
  unsigned short port = BIO_ADDR_rawport(peer.get());  // network order; any fixed order will do
  msg[addr_len] = static_cast<unsigned char>(port >> 8);
  msg[addr_len + 1] = static_cast<unsigned char>(port & 0xff);
  std::size_t out_len = 0;
  if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key_.data(), key_.size(), msg.data(), msg.size(), out,
                 DTLS1_COOKIE_LENGTH, &out_len))
    return false;
  *len = static_cast<unsigned int>(out_len);
  return true;
}

int CookieJar::generate(SSL* ssl, unsigned char* cookie, unsigned int* len) {
  auto* jar = static_cast<CookieJar*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  return jar && jar->cookie_for(ssl, cookie, len) ? 1 : 0;
}

int CookieJar::verify(SSL* ssl, const unsigned char* cookie, unsigned int len) {
  auto* jar = static_cast<CookieJar*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  unsigned char expected[DTLS1_COOKIE_LENGTH];
  unsigned int expected_len = 0;
  if (!jar || !jar->cookie_for(ssl, expected, &expected_len)) return 0;
  return expected_len == len && CRYPTO_memcmp(expected, cookie, len) == 0 ? 1 : 0;
}

}  // namespace wireproof::peers::openssl
