#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/support/tls_view.hpp"
#include "harness/checks/tls/tls_test_support.hpp"
#include "peers/common/line_frame.hpp"

namespace wireproof::checks {
namespace {

using nlohmann::json;
using testing::PairOnWire;

std::string sha256_hex(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EXPECT_EQ(EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr), 1);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) out += {hex[md[i] >> 4], hex[md[i] & 15]};
  return out;
}

// A real echo: the client writes three chunks, the server echoes each.
class TlsDataIntact : public dissect::testing::WithServerPki<int> {
 protected:
  void SetUp() override {
    pw_ = std::make_unique<PairOnWire>(pki_, GetParam());
    pw_->start();
    for (const char* chunk : {"chunk-0 abcdefgh", "chunk-1 ijklmnop", "chunk-2 qrstuvwx"}) {
      pw_->write(pw_->p.client, chunk);
      pw_->write(pw_->p.server, chunk);
      stream_ += chunk;
    }
  }
  void report(const std::string& sent, const std::string& echoed, const std::string& received, int dups = 0) {
    pw_->w.b.client_event({{"event", "app_data"}, {"sent_sha256", sent}, {"echoed_sha256", echoed}, {"duplicates", 0}},
                          pw_->w.now);
    pw_->w.b.server_event({{"event", "app_data"}, {"received_sha256", received}, {"duplicates", dups}}, pw_->w.now);
  }
  static CheckResult judge(const Inputs& in) { return make_tls_data_intact()->run(in); }
  std::unique_ptr<PairOnWire> pw_;
  std::string stream_;
};

TEST_P(TlsDataIntact, DigestsOfTheDecryptedStreamsPass) {
  const auto h = sha256_hex(stream_);
  report(h, h, h);
  const auto r = judge(pw_->inputs_with_key_log());
  ASSERT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["c2s"]["decrypted_bytes"], stream_.size());
  EXPECT_EQ(r.measured["c2s"]["sha256"], h);
  EXPECT_EQ(r.measured["s2c"]["sha256"], h);
  EXPECT_EQ(r.detail, "the peers' digests match the decrypted streams");
}

// abort-rst-truncation: a RST reached the client with data in flight; its
// kernel dropped what it had queued, so its echoed digest is of less than the
// wire delivered. Not compared, and said why; without the rule the client
// fails as a receiver that got other bytes than the wire delivered.
TEST_P(TlsDataIntact, AResetConnectionIsNotCompared) {
  const auto h = sha256_hex(stream_);
  report(h, sha256_hex(""), h);
  pw_->w.t.rst("s2c", pw_->w.now++);
  const auto r = judge(pw_->inputs_with_key_log());
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
  EXPECT_NE(r.detail.find("reset (RST i="), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("RFC 9293 3.10.7.4"), std::string::npos) << r.detail;
}

// A stock pair (--framing lines): each chunk crosses as one text line, the
// digests are of the chunks. Judged from the lines' chunks, it passes; read
// as raw bytes (no line_framing) the same run fails, as every stock cell did.
TEST_P(TlsDataIntact, LineFramedDataIsJudgedByTheChunksItsLinesCarry) {
  PairOnWire lines(pki_, GetParam());
  lines.start();
  std::string chunks;
  for (const char* chunk : {"chunk-0 abcdefgh", "chunk-1 ijklmnop"}) {
    const std::string chunk_s(chunk);
    const std::string line = peers::encode_line(std::span(reinterpret_cast<const std::uint8_t*>(chunk_s.data()), chunk_s.size()));
    lines.write(lines.p.client, line);
    lines.write(lines.p.server, line);
    chunks += chunk_s;
  }
  const auto h = sha256_hex(chunks);
  lines.w.b.client_event({{"event", "app_data"}, {"sent_sha256", h}, {"echoed_sha256", h}, {"duplicates", 0}}, lines.w.now);
  lines.w.b.server_event({{"event", "app_data"}, {"received_sha256", h}, {"duplicates", 0}}, lines.w.now);
  auto in = lines.inputs_with_key_log();
  in.line_framing = true;
  auto r = judge(in);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["c2s"]["lines"], 2) << r.measured.dump();
  EXPECT_EQ(r.measured["c2s"]["lines_without_a_frame"], 0) << r.measured.dump();
  in.line_framing = false;
  r = judge(in);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
}

// client-cert-required-missing with a stock client: its wrapper reports the
// digest of all it wrote to the tool (incomplete: the handshake failed), not
// what crossed. Not compared, said so; without the rule the client fails as a
// sender of other bytes than the wire's.
TEST_P(TlsDataIntact, AnIncompleteSenderReportIsNotCompared) {
  const auto h = sha256_hex(stream_);
  pw_->w.b.client_event({{"event", "app_data"}, {"sent_sha256", sha256_hex(stream_ + "unsent")}, {"echoed_sha256", h},
                         {"duplicates", 0}, {"incomplete", true}, {"incomplete_reason", "3 of 4 chunks echoed"}},
                        pw_->w.now);
  pw_->w.b.server_event({{"event", "app_data"}, {"received_sha256", h}, {"duplicates", 0}}, pw_->w.now);
  const auto r = judge(pw_->inputs_with_key_log());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_NE(r.measured["not_judged"].dump().find("client sent_sha256 is not compared"), std::string::npos)
      << r.measured.dump();
}

// Fails without the receiver rule.
TEST_P(TlsDataIntact, AReceiverDigestOtherThanTheWireFailsTheReceiver) {
  const auto h = sha256_hex(stream_);
  report(h, h, sha256_hex(stream_ + "x"));
  const auto r = judge(pw_->inputs_with_key_log());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("c2s: the wire delivered 48 decrypted bytes to the server"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], json::array({"s2c"})) << "the server is judged (it sends s2c)";
}

// Fails without the sender rule.
TEST_P(TlsDataIntact, ASenderDigestOtherThanTheWireFailsTheSender) {
  const auto h = sha256_hex(stream_), other = sha256_hex("other");
  report(other, h, h);
  const auto r = judge(pw_->inputs_with_key_log());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("c2s: the client sent_sha256 is"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], json::array({"c2s"}));
}

TEST_P(TlsDataIntact, WithoutAKeyLogThePeersAreComparedWithEachOther) {
  const auto h = sha256_hex(stream_);
  report(h, h, h);
  auto r = judge(pw_->inputs());
  ASSERT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_NE(r.detail.find("compared only with each other"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find(support::kNoKeyLogFiles), std::string::npos) << r.detail;
  // Fails without the blind comparison.
  PairOnWire& pw = *pw_;
  pw.w.b.client.events.clear();
  pw.w.b.server.events.clear();
  report(h, h, sha256_hex("other"));
  r = judge(pw.inputs());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("which side is wrong is not known"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], json::array({"c2s", "s2c"}));
}

// Fails without the contract rule (data, no digest) and the duplicates rule.
TEST_P(TlsDataIntact, DataWithNoDigestOrDuplicateDeliveriesFail) {
  auto r = judge(pw_->inputs_with_key_log());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("c2s carried 48 bytes of application data but neither the client nor the server reported"),
            std::string::npos)
      << r.detail;
  const auto h = sha256_hex(stream_);
  report(h, h, h, 2);
  r = judge(pw_->inputs_with_key_log());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("the server reported 2 duplicate deliveries"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], json::array({"s2c"}));
}

// A digest of data that never crossed fails its sender; with nothing to
// compare (no key log, one side's report) the check says so, no pass.
TEST_P(TlsDataIntact, ReportsOfDataThatNeverCrossedFailOrAreNotJudged) {
  PairOnWire handshake_only(pki_, GetParam());
  handshake_only.start();
  handshake_only.w.b.client_event({{"event", "app_data"}, {"sent_sha256", sha256_hex("chunk")}}, handshake_only.w.now);
  auto r = judge(handshake_only.inputs_with_key_log());
  ASSERT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("but the client put 0 decrypted bytes on the wire"), std::string::npos) << r.detail;
  r = judge(handshake_only.inputs());
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
  EXPECT_NE(r.detail.find("no digest compared"), std::string::npos) << r.detail;
}

INSTANTIATE_TEST_SUITE_P(Versions, TlsDataIntact, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION),
                         [](const auto& info) { return info.param == TLS1_3_VERSION ? "tls13" : "tls12"; });

}  // namespace
}  // namespace wireproof::checks
