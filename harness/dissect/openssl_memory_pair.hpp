// For tests only: a real OpenSSL client and server in one process, joined by
// memory BIOs, with the key log each writes; the bytes that cross are the two
// streams the harness would reassemble from TCP.
//
//   OpensslMemoryPair p(pki, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256");
//   p.handshake();  SSL_write(p.client, ...);  p.pump();  p.read(p.server);
//   walk_tls_records(p.c2s) ...  parse_key_log(p.key_log) ...
#pragma once

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/pki/pki.hpp"

namespace wireproof::dissect::testing {

struct OpensslMemoryPair {
  SSL_CTX* server_ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX* client_ctx = SSL_CTX_new(TLS_client_method());
  SSL* server = nullptr;
  SSL* client = nullptr;
  std::vector<std::uint8_t> c2s, s2c;  // every byte that crossed, in order
  std::string key_log;                 // NSS key log lines from both ends

  // version: TLS1_2_VERSION or TLS1_3_VERSION; ciphers: a 1.3 suite list or a 1.2 cipher string.
  OpensslMemoryPair(const pki::PkiFiles& pki, int version, const char* ciphers) {
    for (auto* ctx : {server_ctx, client_ctx}) {
      SSL_CTX_set_min_proto_version(ctx, version);
      SSL_CTX_set_max_proto_version(ctx, version);
      if (version == TLS1_3_VERSION) SSL_CTX_set_ciphersuites(ctx, ciphers);
      else SSL_CTX_set_cipher_list(ctx, ciphers);
      SSL_CTX_set_keylog_callback(ctx, log_line);
    }
    EXPECT_EQ(SSL_CTX_use_certificate_file(server_ctx, pki.server_cert.c_str(), SSL_FILETYPE_PEM), 1);
    EXPECT_EQ(SSL_CTX_use_PrivateKey_file(server_ctx, pki.server_key.c_str(), SSL_FILETYPE_PEM), 1);
    server = SSL_new(server_ctx);
    client = SSL_new(client_ctx);
    for (SSL* s : {server, client}) {
      SSL_set_bio(s, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
      SSL_set_app_data(s, this);
    }
    SSL_set_accept_state(server);
    SSL_set_connect_state(client);
  }
  ~OpensslMemoryPair() {
    SSL_free(server);
    SSL_free(client);
    SSL_CTX_free(server_ctx);
    SSL_CTX_free(client_ctx);
  }
  OpensslMemoryPair(const OpensslMemoryPair&) = delete;
  OpensslMemoryPair& operator=(const OpensslMemoryPair&) = delete;

  // Moves what each side wrote to the other, recording it.
  void pump() {
    for (int i = 0; i < 8; ++i) {
      move(client, server, c2s);
      move(server, client, s2c);
    }
  }
  void handshake() {
    for (int i = 0; i < 10 && !(SSL_is_init_finished(client) && SSL_is_init_finished(server)); ++i) {
      SSL_do_handshake(client);
      pump();
      SSL_do_handshake(server);
      pump();
    }
    ASSERT_TRUE(SSL_is_init_finished(client) && SSL_is_init_finished(server));
  }
  std::string read(SSL* s) {
    std::string out;
    char buf[4096];
    for (int n; (n = SSL_read(s, buf, sizeof buf)) > 0;) out.append(buf, buf + n);
    return out;
  }

 private:
  static void log_line(const SSL* ssl, const char* line) {
    static_cast<OpensslMemoryPair*>(SSL_get_app_data(ssl))->key_log += std::string(line) + "\n";
  }
  static void move(SSL* from, SSL* to, std::vector<std::uint8_t>& record) {
    char buf[16384];
    for (int n; (n = BIO_read(SSL_get_wbio(from), buf, sizeof buf)) > 0;) {
      record.insert(record.end(), buf, buf + n);
      BIO_write(SSL_get_rbio(to), buf, n);
    }
  }
};

// A parameterised suite with one throwaway server PKI (pki_) for all its tests.
template <typename Param>
class WithServerPki : public ::testing::TestWithParam<Param> {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("wp-openssl-pair-" + std::to_string(::getpid()));
    pki_ = pki::generate_pki(dir_);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
  static inline std::filesystem::path dir_;
  static inline pki::PkiFiles pki_;
};

}  // namespace wireproof::dissect::testing
