// unique_ptr owners for the OpenSSL objects the shim holds.
#pragma once

#include <memory>

#include <openssl/bio.h>
#include <openssl/ssl.h>

namespace wireproof::peers::openssl {

template <auto Free>
struct Freer {
  template <typename T>
  void operator()(T* p) const { Free(p); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, Freer<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, Freer<SSL_free>>;
using BioAddrPtr = std::unique_ptr<BIO_ADDR, Freer<BIO_ADDR_free>>;

// Every error OpenSSL queued, oldest first, "; "-separated; clears the queue.
std::string drain_openssl_errors();

}  // namespace wireproof::peers::openssl
