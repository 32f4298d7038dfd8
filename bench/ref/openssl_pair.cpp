#include "bench/ref/openssl_pair.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>

#include <cstring>
#include <stdexcept>

namespace wireproof::bench {

namespace {

std::runtime_error ssl_error(const std::string& what) {
  char buf[256] = "no OpenSSL error queued";
  if (unsigned long e = ERR_get_error()) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return std::runtime_error("OpenSSL: " + what + ": " + buf);
}

// The BIO's data: where this SSL writes, and where it reads from.
struct Ends {
  DatagramQueue* out;
  DatagramQueue* in;
};

int q_write(BIO* b, const char* data, int len) {
  auto* e = static_cast<Ends*>(BIO_get_data(b));
  DatagramQueue& q = *e->out;
  std::vector<std::uint8_t> d;
  if (!q.spare.empty()) {
    d = std::move(q.spare.back());
    q.spare.pop_back();
  }
  // Same element type on both sides, so this is one memmove (a char -> uint8_t
  // range constructor was a byte-at-a-time loop at -O2).
  const auto* p = reinterpret_cast<const std::uint8_t*>(data);
  d.assign(p, p + len);
  q.queued.push_back(std::move(d));
  return len;
}

int q_read(BIO* b, char* buf, int len) {
  auto* e = static_cast<Ends*>(BIO_get_data(b));
  BIO_clear_retry_flags(b);
  DatagramQueue& q = *e->in;
  if (q.queued.empty()) {
    BIO_set_retry_read(b);
    return -1;
  }
  auto& d = q.queued.front();
  int n = std::min<int>(len, static_cast<int>(d.size()));  // like recv(): the rest of a long datagram is lost
  std::memcpy(buf, d.data(), static_cast<std::size_t>(n));
  q.spare.push_back(std::move(d));
  q.queued.pop_front();
  return n;
}

long q_ctrl(BIO*, int cmd, long, void*) {
  switch (cmd) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU: return kBenchMtu - 28;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD: return 28;
    default: return 0;
  }
}

int q_destroy(BIO* b) {
  delete static_cast<Ends*>(BIO_get_data(b));
  BIO_set_data(b, nullptr);
  return 1;
}

// One BIO_METHOD for the whole process, built on first use and never changed.
const BIO_METHOD* queue_method() {
  static const BIO_METHOD* m = [] {
    BIO_METHOD* bm = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "wireproof datagram queue");
    BIO_meth_set_write(bm, q_write);
    BIO_meth_set_read(bm, q_read);
    BIO_meth_set_ctrl(bm, q_ctrl);
    BIO_meth_set_destroy(bm, q_destroy);
    return bm;
  }();
  return m;
}

BIO* queue_bio(DatagramQueue& out, DatagramQueue& in) {
  BIO* b = BIO_new(queue_method());
  if (!b) throw ssl_error("BIO_new");
  BIO_set_data(b, new Ends{&out, &in});
  BIO_set_init(b, 1);
  return b;
}

// Stateless cookie: HMAC-SHA256 over a fixed peer label with a fixed key,
// like the shims (the address is constant on this link).
const unsigned char kCookieKey[32] = {0x42};
int make_cookie(SSL*, unsigned char* cookie, unsigned int* len) {
  static const unsigned char label[] = "127.0.0.1:40001";
  return HMAC(EVP_sha256(), kCookieKey, sizeof kCookieKey, label, sizeof label, cookie, len) != nullptr;
}
int verify_cookie(SSL* s, const unsigned char* cookie, unsigned int len) {
  unsigned char want[EVP_MAX_MD_SIZE];
  unsigned int want_len = 0;
  return make_cookie(s, want, &want_len) && want_len == len && std::memcmp(want, cookie, len) == 0;
}

void common_ctx(SSL_CTX* c) {
  if (!SSL_CTX_set_min_proto_version(c, DTLS1_2_VERSION) || !SSL_CTX_set_max_proto_version(c, DTLS1_2_VERSION) ||
      !SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-AES128-GCM-SHA256") || !SSL_CTX_set1_groups_list(c, "P-256"))
    throw ssl_error("configuring the suite");
  SSL_CTX_set_options(c, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);  // every handshake is a full one
}

}  // namespace

std::string openssl_version() { return OpenSSL_version(OPENSSL_VERSION); }

OpensslContexts::OpensslContexts(const Pki& pki)
    : client_(SSL_CTX_new(DTLS_client_method())), server_(SSL_CTX_new(DTLS_server_method())) {
  if (!client_ || !server_) throw ssl_error("SSL_CTX_new");
  common_ctx(client_.get());
  common_ctx(server_.get());
  if (SSL_CTX_use_certificate_chain_file(server_.get(), pki.files.server_cert.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(server_.get(), pki.files.server_key.c_str(), SSL_FILETYPE_PEM) != 1)
    throw ssl_error("loading the server certificate");
  SSL_CTX_set_options(server_.get(), SSL_OP_COOKIE_EXCHANGE);
  SSL_CTX_set_cookie_generate_cb(server_.get(), make_cookie);
  SSL_CTX_set_cookie_verify_cb(server_.get(), verify_cookie);
  if (SSL_CTX_load_verify_locations(client_.get(), pki.files.ca_cert.c_str(), nullptr) != 1)
    throw ssl_error("loading the CA");
  SSL_CTX_set_verify(client_.get(), SSL_VERIFY_PEER, nullptr);
}

OpensslPair::OpensslPair(const OpensslContexts& ctx)
    : client_(SSL_new(ctx.client())), server_(SSL_new(ctx.server())) {
  if (!client_ || !server_) throw ssl_error("SSL_new");
  SSL_set_bio(client_, queue_bio(c2s_, s2c_), queue_bio(c2s_, s2c_));
  SSL_set_bio(server_, queue_bio(s2c_, c2s_), queue_bio(s2c_, c2s_));
  for (SSL* s : {client_, server_}) DTLS_set_link_mtu(s, kBenchMtu);
  if (SSL_set1_host(client_, kServerName) != 1) throw ssl_error("SSL_set1_host");
  SSL_set_connect_state(client_);
  SSL_set_accept_state(server_);
}

OpensslPair::~OpensslPair() {
  SSL_free(client_);
  SSL_free(server_);
}

void OpensslPair::handshake() {
  for (int round = 0; round < 32; ++round) {
    int c = SSL_do_handshake(client_);
    int s = SSL_do_handshake(server_);
    if (c == 1 && s == 1) return;
    for (auto [ssl, rc] : {std::pair{client_, c}, std::pair{server_, s}})
      if (rc != 1 && SSL_get_error(ssl, rc) != SSL_ERROR_WANT_READ) throw ssl_error("handshake");
  }
  throw std::runtime_error("OpenSSL handshake did not complete in 32 rounds");
}

void OpensslPair::send_one_record(std::span<const std::uint8_t> data) {
  auto& buf = rx_;
  if (SSL_write(client_, data.data(), static_cast<int>(data.size())) != static_cast<int>(data.size()))
    throw ssl_error("SSL_write of " + std::to_string(data.size()) + " bytes");
  if (SSL_read(server_, buf.data(), static_cast<int>(buf.size())) != static_cast<int>(data.size()))
    throw ssl_error("SSL_read");
}

}  // namespace wireproof::bench
