// TLS 1.3 decryption against real OpenSSL: a client and a server in this
// process, joined by memory BIOs, with their key log callback; the bytes that
// cross are the two streams the harness would reassemble from TCP. With the
// logged secrets the harness must find, per direction, the encrypted
// handshake messages in order, the application data byte for byte, a
// KeyUpdate and the change of key after it, for each TLS 1.3 suite.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "harness/dissect/hello_parsers.hpp"
#include "harness/dissect/key_log.hpp"
#include "harness/dissect/tls_decrypt.hpp"
#include "harness/dissect/openssl_memory_pair.hpp"
#include "harness/pki/pki.hpp"

namespace wireproof::dissect {
namespace {

using Bytes = std::vector<std::uint8_t>;
using testing::OpensslMemoryPair;

std::vector<int> types(const TlsHandshakeMessages& hs) {
  std::vector<int> out;
  for (const auto& m : hs.messages) out.push_back(m.type);
  return out;
}

std::string app_data(const TlsDecryption& d, int generation) {
  std::string out;
  for (const auto& r : d.records)
    if (r.inner_type == kApplicationData && r.generation == generation) out.append(r.content.begin(), r.content.end());
  return out;
}

class Tls13Decrypt : public testing::WithServerPki<const char*> {};

TEST_P(Tls13Decrypt, HandshakeMessagesAppDataAndKeyUpdateAsOpensslSentThem) {
  OpensslMemoryPair p(pki_, TLS1_3_VERSION, GetParam());
  p.handshake();
  ASSERT_GT(SSL_write(p.client, "hello over tls 1.3", 18), 0);
  p.pump();
  EXPECT_EQ(p.read(p.server), "hello over tls 1.3");
  ASSERT_EQ(SSL_key_update(p.client, SSL_KEY_UPDATE_REQUESTED), 1);
  ASSERT_GT(SSL_write(p.client, "after the update", 16), 0);
  p.pump();
  EXPECT_EQ(p.read(p.server), "after the update");
  ASSERT_GT(SSL_write(p.server, "answer", 6), 0);  // the server updates its own key first, as asked
  p.pump();
  EXPECT_EQ(p.read(p.client), "answer");

  auto c2s = walk_tls_records(p.c2s);
  auto s2c = walk_tls_records(p.s2c);
  ASSERT_FALSE(c2s.fault || s2c.fault);
  std::string error;
  auto ch_msgs = plaintext_handshake(c2s, c2s.records.size());
  auto sh_msgs = plaintext_handshake(s2c, s2c.records.size());
  ASSERT_FALSE(ch_msgs.messages.empty() || sh_msgs.messages.empty());
  auto ch = parse_client_hello(ch_msgs.messages[0].body, HelloFlavour::tls, error);
  auto sh = parse_server_hello(sh_msgs.messages[0].body, error);
  ASSERT_TRUE(ch && sh) << error;
  EXPECT_EQ(selected_version(*sh), 0x0304);
  auto suite = tls13_suite(sh->cipher_suite);
  ASSERT_TRUE(suite) << sh->cipher_suite;

  auto keys = parse_key_log(p.key_log);
  ASSERT_TRUE(keys.errors.empty()) << keys.errors[0];
  const auto* s_hs = keys.log.find(ch->random, "SERVER_HANDSHAKE_TRAFFIC_SECRET");
  const auto* c_hs = keys.log.find(ch->random, "CLIENT_HANDSHAKE_TRAFFIC_SECRET");
  ASSERT_TRUE(s_hs && c_hs) << p.key_log;

  auto server = decrypt_tls13(s2c, *suite, *s_hs, keys.log.find(ch->random, "SERVER_TRAFFIC_SECRET_0"));
  EXPECT_FALSE(server.fault) << *server.fault;
  // EncryptedExtensions, Certificate, CertificateVerify, Finished, then two NewSessionTickets
  // (OpenSSL's default), then the KeyUpdate answering the client's request.
  EXPECT_EQ(types(server.handshake), (std::vector<int>{8, 11, 15, 20, 4, 4, 24}));
  EXPECT_EQ(app_data(server, 2), "answer") << "sent under the server's updated key";

  auto client = decrypt_tls13(c2s, *suite, *c_hs, keys.log.find(ch->random, "CLIENT_TRAFFIC_SECRET_0"));
  EXPECT_FALSE(client.fault) << *client.fault;
  EXPECT_EQ(types(client.handshake), (std::vector<int>{20, 24}));
  ASSERT_EQ(client.handshake.messages.back().body, Bytes{1}) << "update_requested";
  EXPECT_EQ(app_data(client, 1), "hello over tls 1.3");
  EXPECT_EQ(app_data(client, 2), "after the update");
  for (const auto& r : client.records) EXPECT_EQ(r.padding, 0u) << "OpenSSL pads nothing by default";

  // Without the application secret, decryption stops at the first application record and says so.
  auto no_app = decrypt_tls13(c2s, *suite, *c_hs, nullptr);
  ASSERT_TRUE(no_app.fault);
  EXPECT_NE(no_app.fault->find("no application traffic secret logged"), std::string::npos) << *no_app.fault;
  EXPECT_EQ(types(no_app.handshake), (std::vector<int>{20}));
}

TEST_P(Tls13Decrypt, AFlippedCiphertextByteIsNamedAndStopsDecryption) {
  OpensslMemoryPair p(pki_, TLS1_3_VERSION, GetParam());
  p.handshake();
  auto s2c_bytes = p.s2c;
  auto walk = walk_tls_records(s2c_bytes);
  std::size_t protected_record = first_of_type(walk, kApplicationData);
  ASSERT_LT(protected_record, walk.records.size());
  s2c_bytes[walk.records[protected_record].offset + kTlsRecordHeader + 3] ^= 0x40;
  auto tampered = walk_tls_records(s2c_bytes);
  std::string error;
  auto ch = parse_client_hello(plaintext_handshake(walk_tls_records(p.c2s), SIZE_MAX).messages[0].body,
                               HelloFlavour::tls, error);
  auto sh = parse_server_hello(plaintext_handshake(tampered, SIZE_MAX).messages[0].body, error);
  ASSERT_TRUE(ch && sh) << error;
  auto keys = parse_key_log(p.key_log);
  auto d = decrypt_tls13(tampered, *tls13_suite(sh->cipher_suite),
                         *keys.log.find(ch->random, "SERVER_HANDSHAKE_TRAFFIC_SECRET"), nullptr);
  ASSERT_TRUE(d.fault);
  EXPECT_NE(d.fault->find("record " + std::to_string(protected_record) + " at offset"), std::string::npos) << *d.fault;
  EXPECT_NE(d.fault->find("does not authenticate under the handshake traffic key (sequence number 0)"),
            std::string::npos)
      << *d.fault;
  EXPECT_TRUE(d.records.empty());
}

INSTANTIATE_TEST_SUITE_P(Suites, Tls13Decrypt,
                         ::testing::Values("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                           "TLS_CHACHA20_POLY1305_SHA256"),
                         [](const auto& info) {
                           std::string n = info.param;
                           return n.substr(4, n.find("_SHA") - 4);
                         });

}  // namespace
}  // namespace wireproof::dissect
