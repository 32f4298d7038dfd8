// The checks' TLS view: made once per judging from the shared TCP dissection
// and the run's key-log files (both sides' merged), with the key logs' faults
// named and, without any, the reason the protected records stay unseen.
#include "harness/checks/support/tls_view.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "harness/checks/tcp/tcp_support.hpp"
#include "harness/checks/testdata/tls_over_tcp.hpp"
#include "harness/dissect/openssl_memory_pair.hpp"

namespace wireproof::checks::support {
namespace {

using dissect::testing::OpensslMemoryPair;
using testing::TlsOverTcp;

std::string lines_with(const std::string& text, const std::string& prefix) {
  std::string out;
  std::size_t at = 0;
  for (std::size_t nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1)
    if (text.compare(at, prefix.size(), prefix) == 0) out += text.substr(at, nl + 1 - at);
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

class TlsView : public dissect::testing::WithServerPki<int> {
 protected:
  void SetUp() override {
    pair_ = std::make_unique<OpensslMemoryPair>(pki_, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256");
    pair_->handshake();
    wire_.send("c2s", pair_->c2s, 300);
    wire_.send("s2c", pair_->s2c, 300);
  }
  std::unique_ptr<OpensslMemoryPair> pair_;
  TlsOverTcp wire_;
};

TEST_F(TlsView, MadeOnceAndOnTheSharedTcpDissection) {
  auto in = wire_.b.inputs();
  in.key_logs = {{"keylog-client.txt", pair_->key_log, ""}};
  const auto& view = tls_view(in);
  EXPECT_EQ(&tls_view(in), &view);
  ASSERT_TRUE(in.tcp_connections_cache);
  EXPECT_EQ(view.tcp_connections.get(), in.tcp_connections_cache.get());
  ASSERT_EQ(view.connections.size(), 1u);
  EXPECT_EQ(view.connections[0].tcp, &tcp::connections(in)[0]);
  EXPECT_TRUE(view.key_log);
  EXPECT_TRUE(view.key_log_notes.empty());
  const auto& t = view.connections[0].tls;
  EXPECT_TRUE(t.unseen.empty()) << joined(t.unseen);
  EXPECT_EQ(t.s2c.handshake.size(), 7u) << "ServerHello, EE, Certificate, CertificateVerify, Finished, 2 tickets";
}

TEST_F(TlsView, BothSidesKeyLogsAreMerged) {
  // Each file holds only its own side's secrets: neither alone decrypts both directions.
  const std::string client = lines_with(pair_->key_log, "CLIENT_");
  const std::string server = lines_with(pair_->key_log, "SERVER_");
  ASSERT_FALSE(client.empty() || server.empty());
  auto in = wire_.b.inputs();
  in.key_logs = {{"keylog-client.txt", client, ""}, {"keylog-server.txt", server, ""}};
  const auto& t = tls_view(in).connections.at(0).tls;
  EXPECT_TRUE(t.unseen.empty()) << joined(t.unseen);
  EXPECT_TRUE(t.c2s.all_seen() && t.s2c.all_seen());
}

TEST_F(TlsView, WithoutKeyLogFilesTheReasonSaysSo) {
  auto in = wire_.b.inputs();
  const auto& view = tls_view(in);
  EXPECT_FALSE(view.key_log);
  const auto& t = view.connections.at(0).tls;
  ASSERT_FALSE(t.unseen.empty());
  EXPECT_NE(joined(t.unseen).find(std::string("s2c: ") + kNoKeyLogFiles), std::string::npos) << joined(t.unseen);
}

TEST_F(TlsView, AKeyLogsFaultsAreNamedWithTheirFile) {
  auto in = wire_.b.inputs();
  in.key_logs = {{"keylog-client.txt", "CLIENT_RANDOM abc\n" + pair_->key_log, ""},
                 {"keylog-server.txt", "", "/run/keylog-server.txt: is not a regular file"}};
  const auto& view = tls_view(in);
  ASSERT_EQ(view.key_log_notes.size(), 2u) << joined(view.key_log_notes);
  EXPECT_EQ(view.key_log_notes[0], "keylog-client.txt line 1: expected \"<LABEL> <client_random hex> <secret hex>\"");
  EXPECT_EQ(view.key_log_notes[1], "/run/keylog-server.txt: is not a regular file");
  EXPECT_TRUE(view.connections.at(0).tls.unseen.empty()) << "the good lines still decrypt";

  auto unreadable = wire_.b.inputs();
  unreadable.key_logs = {{"keylog-client.txt", "", "/run/keylog-client.txt: cannot read: Permission denied"}};
  const auto& t = tls_view(unreadable).connections.at(0).tls;
  EXPECT_NE(joined(t.unseen).find(kKeyLogFilesUnreadable), std::string::npos) << joined(t.unseen);
}

TEST(TlsViewRecordPackets, OnePacketOrTheFirstAndTheLast) {
  dissect::TranscriptRecord r;
  r.first.i = 7;
  r.last.i = 7;
  EXPECT_EQ(record_packets(r), (std::vector<std::uint64_t>{7}));
  r.last.i = 9;
  EXPECT_EQ(record_packets(r), (std::vector<std::uint64_t>{7, 9}));
}

}  // namespace
}  // namespace wireproof::checks::support
