#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/tls/tls_test_support.hpp"

namespace wireproof::checks {
namespace {

using dissect::testing::OpensslMemoryPair;
using namespace testing;

class RecordSize : public dissect::testing::WithServerPki<int> {
 protected:
  std::unique_ptr<Check> check_ = make_record_size();
};

TEST_F(RecordSize, ARealExchangeWithMaxFragmentLengthPasses) {
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    OpensslMemoryPair p(pki_, version, version == TLS1_3_VERSION ? "TLS_AES_128_GCM_SHA256" : "ECDHE-ECDSA-AES128-GCM-SHA256");
    SSL_set_tlsext_max_fragment_length(p.client, TLSEXT_max_fragment_length_512);
    p.handshake();
    write_and_read(p, p.server, 3000);
    write_and_read(p, p.client, 3000);
    const auto r = judge(*check_, p, true, version == TLS1_3_VERSION ? "tls1.3" : "tls1.2");
    EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
    EXPECT_EQ(r.measured["limits"][0]["max_fragment_length"], 512) << r.measured.dump();
  }
}

// Fails without the max_fragment_length rule: the ClientHello and
// ServerHello say 512 (added to a 1.2 pair's clear hellos), the records carry 3000.
TEST_F(RecordSize, RecordsOverTheNegotiatedMaxFragmentLengthFail) {
  OpensslMemoryPair p(pki_, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256");
  p.handshake();
  write_and_read(p, p.server, 3000);
  Bytes c2s = p.c2s, s2c = p.s2c;
  add_extension(c2s, 1, 1, {1});
  add_extension(s2c, 2, 1, {1});
  const auto r = judge(*check_, p, c2s, s2c, true, "tls1.2");
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("s2c: the server's record"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("plaintext 3000 bytes > the negotiated max_fragment_length 512"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
  EXPECT_FALSE(r.evidence.empty());
}

// Fails without the record_size_limit rule (OpenSSL 3.0 does not implement
// RFC 8449: both hellos get the extension, the client's limit 1024).
TEST_F(RecordSize, RecordsOverThePeersRecordSizeLimitFail) {
  OpensslMemoryPair p(pki_, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256");
  p.handshake();
  write_and_read(p, p.server, 3000);
  Bytes c2s = p.c2s, s2c = p.s2c;
  add_extension(c2s, 1, 28, {0x04, 0x00});
  add_extension(s2c, 2, 28, {0x40, 0x00});
  const auto r = judge(*check_, p, c2s, s2c, true, "tls1.2");
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("3000 bytes > the client's record_size_limit 1024"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
}

// Fails without RFC 8449 5: the server answers both extensions.
TEST_F(RecordSize, AServerAnsweringRecordSizeLimitAndMaxFragmentLengthFails) {
  OpensslMemoryPair p(pki_, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256");
  p.handshake();
  Bytes c2s = p.c2s, s2c = p.s2c;
  add_extension(c2s, 1, 1, {4});
  add_extension(c2s, 1, 28, {0x40, 0x00});
  add_extension(s2c, 2, 1, {4});
  add_extension(s2c, 2, 28, {0x40, 0x00});
  const auto r = judge(*check_, p, c2s, s2c, true, "tls1.2");
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("MUST ignore the latter"), std::string::npos) << r.detail;
}

// Fails without the rule on what the client was asked for: OpenSSL 3.0 offers
// no record_size_limit (RFC 8449) however it is asked, and a max_fragment_length
// other than the one asked is also named.
TEST_F(RecordSize, AClientNotOfferingTheLimitItWasAskedForFails) {
  OpensslMemoryPair p(pki_, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256");
  SSL_set_tlsext_max_fragment_length(p.client, TLSEXT_max_fragment_length_512);
  p.handshake();
  scenario::TlsSettings asked;
  asked.client.max_fragment_length = 512;
  EXPECT_EQ(judge(*check_, p, p.c2s, p.s2c, true, "tls1.3", asked).verdict, Verdict::pass);
  asked.client.max_fragment_length = 1024;
  asked.client.record_size_limit = 512;
  const auto r = judge(*check_, p, p.c2s, p.s2c, true, "tls1.3", asked);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("c2s: the client was asked for record_size_limit 512 and its ClientHello offers none"),
            std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("asked for max_fragment_length 1024 and its ClientHello offers 512"), std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));
}

// Fails without the rule on what the server was asked for: the client offers
// record_size_limit 1024 and the server, asked for 2048, answers 16384.
TEST_F(RecordSize, AServerAnsweringAnotherLimitThanAskedFails) {
  OpensslMemoryPair p(pki_, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256");
  p.handshake();
  Bytes c2s = p.c2s, s2c = p.s2c;
  add_extension(c2s, 1, 28, {0x04, 0x00});
  add_extension(s2c, 2, 28, {0x40, 0x00});
  scenario::TlsSettings asked;
  asked.client.record_size_limit = 1024;
  asked.server.record_size_limit = 2048;
  const auto r = judge(*check_, p, c2s, s2c, true, "tls1.2", asked);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("s2c: the server was asked for record_size_limit 2048 and answered the client's offer with 16384"),
            std::string::npos) << r.detail;
  asked.server.record_size_limit = 16384;
  EXPECT_EQ(judge(*check_, p, c2s, s2c, true, "tls1.2", asked).verdict, Verdict::pass);
}

// Fails without the 2^14 plaintext rule: a clear 16385-byte record before the ClientHello.
TEST_F(RecordSize, AnOversizedPlaintextRecordFails) {
  OpensslMemoryPair p(pki_, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256");
  p.handshake();
  Bytes c2s{dissect::kAlert, 3, 3, 0, 0};
  put16(c2s, 3, 16386);
  c2s.resize(5 + 16386, 1);
  c2s.insert(c2s.end(), p.c2s.begin(), p.c2s.end());
  const auto r = judge(*check_, p, c2s, p.s2c, true, "tls1.2");
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("c2s: the client's record 0 (alert): plaintext 16386 bytes > 2^14"), std::string::npos) << r.detail;
}

// Fails without the 1.3 ciphertext rule: a protected record's length header says 2^14 + 257.
TEST_F(RecordSize, AnOversizedCiphertextFailsEvenWithoutTheKeyLog) {
  OpensslMemoryPair p(pki_, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256");
  p.handshake();
  Bytes s2c = p.s2c;
  Bytes big{dissect::kApplicationData, 3, 3, 0, 0};
  put16(big, 3, 16384 + 257);
  big.resize(5 + 16384 + 257, 7);
  s2c.insert(s2c.end(), big.begin(), big.end());
  const auto r = judge(*check_, p, p.c2s, s2c, false);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("TLSCiphertext.length 16641 > 16640"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("not judged"), std::string::npos) << "no key log: said so. " << r.detail;
}

TEST_F(RecordSize, WithoutTheKeyLogTheUnseenIsSaid) {
  OpensslMemoryPair p(pki_, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256");
  SSL_set_tlsext_max_fragment_length(p.client, TLSEXT_max_fragment_length_1024);
  p.handshake();
  const auto r = judge(*check_, p, false);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_NE(r.detail.find("EncryptedExtensions was not decrypted"), std::string::npos) << r.detail;
}

}  // namespace
}  // namespace wireproof::checks
