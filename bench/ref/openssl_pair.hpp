// A client and a server OpenSSL DTLS connection (libssl) joined by a perfect
// in-memory link: each SSL writes datagrams into a queue through a small
// custom BIO, and reads the other side's queue one datagram per read, so
// datagram boundaries hold as on a UDP socket. SSL_OP_COOKIE_EXCHANGE makes
// the server answer the first ClientHello with a HelloVerifyRequest.
#pragma once

#include <deque>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <openssl/ssl.h>

#include "bench/ref/pki_files.hpp"

namespace wireproof::bench {

std::string openssl_version();

// Both SSL_CTXs, built once (certificates loaded, suite and group fixed).
class OpensslContexts {
 public:
  explicit OpensslContexts(const Pki& pki);
  SSL_CTX* client() const { return client_.get(); }
  SSL_CTX* server() const { return server_.get(); }

 private:
  struct Free {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
  };
  std::unique_ptr<SSL_CTX, Free> client_, server_;
};

// One direction of the link. Datagram buffers are recycled, so the link costs
// OpenSSL a copy in (BIO write) and a copy out (BIO read, like recv()) and no
// allocation per datagram: the ref side's link only moves its own buffers.
struct DatagramQueue {
  std::deque<std::vector<std::uint8_t>> queued;
  std::vector<std::vector<std::uint8_t>> spare;
};

class OpensslPair {
 public:
  explicit OpensslPair(const OpensslContexts& ctx);
  ~OpensslPair();
  OpensslPair(const OpensslPair&) = delete;
  OpensslPair& operator=(const OpensslPair&) = delete;

  void handshake();  // throws if it does not complete
  void send_one_record(std::span<const std::uint8_t> data);

 private:
  DatagramQueue c2s_, s2c_;
  std::vector<std::uint8_t> rx_ = std::vector<std::uint8_t>(64 * 1024);  // the server's read buffer
  SSL* client_ = nullptr;
  SSL* server_ = nullptr;
};

}  // namespace wireproof::bench
