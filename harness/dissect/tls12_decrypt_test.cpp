// TLS 1.2 decryption against real OpenSSL (in memory, openssl_memory_pair.hpp)
// for each AEAD family: with the logged master secret the harness must find
// each direction's encrypted Finished and its application data byte for
// byte; a flipped byte is named by record and key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "harness/dissect/hello_parsers.hpp"
#include "harness/dissect/key_log.hpp"
#include "harness/dissect/openssl_memory_pair.hpp"
#include "harness/dissect/tls_decrypt.hpp"

namespace wireproof::dissect {
namespace {

using Bytes = std::vector<std::uint8_t>;
using testing::OpensslMemoryPair;

struct Hellos {
  ClientHello ch;
  ServerHello sh;
};

Hellos hellos(const OpensslMemoryPair& p) {
  std::string error;
  auto ch = parse_client_hello(plaintext_handshake(walk_tls_records(p.c2s), SIZE_MAX).messages.at(0).body,
                               HelloFlavour::tls, error);
  auto sh = parse_server_hello(plaintext_handshake(walk_tls_records(p.s2c), SIZE_MAX).messages.at(0).body, error);
  EXPECT_TRUE(ch && sh) << error;
  return {*ch, *sh};
}

std::string app_data(const TlsDecryption& d) {
  std::string out;
  for (const auto& r : d.records)
    if (r.inner_type == kApplicationData) out.append(r.content.begin(), r.content.end());
  return out;
}

class Tls12Decrypt : public testing::WithServerPki<const char*> {};

TEST_P(Tls12Decrypt, FinishedAndAppDataAsOpensslSentThem) {
  OpensslMemoryPair p(pki_, TLS1_2_VERSION, GetParam());
  p.handshake();
  ASSERT_GT(SSL_write(p.client, "hello over tls 1.2", 18), 0);
  p.pump();
  EXPECT_EQ(p.read(p.server), "hello over tls 1.2");
  ASSERT_GT(SSL_write(p.server, "and back", 8), 0);
  p.pump();
  EXPECT_EQ(p.read(p.client), "and back");

  const auto [ch, sh] = hellos(p);
  EXPECT_EQ(selected_version(sh), 0x0303);
  auto suite = tls12_suite(sh.cipher_suite);
  ASSERT_TRUE(suite) << sh.cipher_suite;
  auto keys = parse_key_log(p.key_log);
  ASSERT_TRUE(keys.errors.empty()) << keys.errors[0];
  const auto* master = keys.log.find(ch.random, "CLIENT_RANDOM");
  ASSERT_NE(master, nullptr) << p.key_log;
  ASSERT_EQ(master->size(), 48u);

  auto client = decrypt_tls12(walk_tls_records(p.c2s), *suite, *master, ch.random, sh.random, true);
  EXPECT_FALSE(client.fault) << *client.fault;
  ASSERT_EQ(client.handshake.messages.size(), 1u);
  EXPECT_EQ(client.handshake.messages[0].type, 20) << "the client's Finished";
  EXPECT_EQ(client.handshake.messages[0].length, 12u) << "verify_data is 12 bytes (RFC 5246 7.4.9)";
  EXPECT_EQ(app_data(client), "hello over tls 1.2");

  auto server = decrypt_tls12(walk_tls_records(p.s2c), *suite, *master, ch.random, sh.random, false);
  EXPECT_FALSE(server.fault) << *server.fault;
  ASSERT_EQ(server.handshake.messages.size(), 1u);
  EXPECT_EQ(server.handshake.messages[0].type, 20);
  EXPECT_EQ(app_data(server), "and back");

  auto wrong_side = decrypt_tls12(walk_tls_records(p.s2c), *suite, *master, ch.random, sh.random, true);
  ASSERT_TRUE(wrong_side.fault) << "the client's keys do not open the server's records";
  EXPECT_NE(wrong_side.fault->find("does not authenticate under the client write key (sequence number 0)"),
            std::string::npos)
      << *wrong_side.fault;

  auto tampered = p.c2s;
  auto walk = walk_tls_records(tampered);
  const auto& last = walk.records.back();
  tampered[last.offset + kTlsRecordHeader + last.length - 1] ^= 1;  // the tag's last byte
  auto broken = decrypt_tls12(walk_tls_records(tampered), *suite, *master, ch.random, sh.random, true);
  ASSERT_TRUE(broken.fault);
  EXPECT_NE(broken.fault->find("record " + std::to_string(last.index) + " at offset"), std::string::npos) << *broken.fault;
  EXPECT_EQ(app_data(broken), "") << "the app data record was the one broken";
}

INSTANTIATE_TEST_SUITE_P(Ciphers, Tls12Decrypt,
                         ::testing::Values("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                                           "ECDHE-ECDSA-CHACHA20-POLY1305"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace wireproof::dissect
