#include <gtest/gtest.h>

#include <functional>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/log_builder.hpp"

namespace wireproof::checks {
namespace {

using testing::LogBuilder;

constexpr std::uint64_t kChunks = 5;  // 4096 bytes in 1000-byte chunks

// What a test does to the client's application-data datagrams on the wire.
using EditWire = std::function<void(const std::vector<events::Datagram*>& c2s)>;

// A clean echo of 4096 bytes whose client sent kChunks + resent_on_wire
// application records, each echoed once (then `edit`ed); the peers report
// the given counts.
LogBuilder echoed(std::uint64_t resent_claimed, std::uint64_t resent_on_wire, std::uint64_t client_dups,
                  std::uint64_t server_dups, const EditWire& edit = nullptr) {
  LogBuilder b;
  b.scenario.workload.echo_bytes = 4096;
  testing::clean_handshake(b, false);
  std::vector<events::Datagram*> c2s;
  for (auto k : testing::echo_on_wire(b, kChunks + resent_on_wire, 10))
    c2s.push_back(&std::get<events::Datagram>(b.log.events[k]));
  if (edit) edit(c2s);
  testing::app_data_reports(b, 4096, resent_claimed, client_dups, server_dups, 50);
  return b;
}

TEST(AppDataIntact, PassesWhenDigestsAndCountsAgree) {
  auto b = echoed(2, 2, 1, 2);
  auto r = make_app_data_intact()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["server"]["duplicates"], 2);
  EXPECT_EQ(r.measured["wire"]["c2s"]["distinct_delivered"], kChunks + 2);
  EXPECT_EQ(r.measured["wire"]["client_resends_on_wire"], 2);
  EXPECT_EQ(r.evidence.size(), 2u);
}

TEST(AppDataIntact, FailsWhenAReplayedRecordWasDelivered) {
  auto b = echoed(0, 0, 0, 1);
  auto r = make_app_data_intact()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("server saw 1 duplicate"), std::string::npos) << r.detail;
}

// Under loss a client resends; before the wire cross-check the server could
// then deliver a duplicate it never received twice (a replay bug) and hide
// it behind the client's claim. The wire shows no resend: it fails.
TEST(AppDataIntact, ADuplicateFailsWhenOnlyTheClientClaimsResends) {
  auto b = echoed(/*resent_claimed=*/3, /*resent_on_wire=*/0, 0, 1);
  auto r = make_app_data_intact()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("server saw 1 duplicate record but the wire shows the client resent 0 chunks (it claims 3)"),
            std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["wire"]["duplicates_allowed"], 0);
}

TEST(AppDataIntact, ARealResendOnTheWireExplainsADuplicate) {
  auto b = echoed(1, 1, 1, 1);
  auto r = make_app_data_intact()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["wire"]["duplicates_allowed"], 1);
}

// The ref's `--bug duplicate-app-data`: every record sent twice under fresh
// sequence numbers, the client's workload resent nothing.
TEST(AppDataIntact, ExtraRecordsTheClientDoesNotClaimAsResendsExplainNothing) {
  auto b = echoed(0, kChunks, 0, kChunks);
  auto r = make_app_data_intact()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("server saw 5 duplicate records but the wire shows the client resent 5 chunks (it claims 0)"),
            std::string::npos)
      << r.detail;
}

// The wire delivered one record twice (a duplicate rule) and the client
// really resent one chunk: the server's two duplicates mean it accepted the
// wire's copy, although its count is within the claimed resends.
TEST(AppDataIntact, AcceptingACopyTheWireDuplicatedFails) {
  auto b = echoed(/*resent_claimed=*/2, /*resent_on_wire=*/1, 0, /*server_dups=*/2, [](const auto& c2s) {
    c2s[2]->deliveries_us.push_back(c2s[2]->deliveries_us[0] + 50);
  });
  auto r = make_app_data_intact()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_EQ(r.measured["wire"]["c2s"]["delivered"], kChunks + 2);
  EXPECT_EQ(r.measured["wire"]["c2s"]["distinct_delivered"], kChunks + 1);
  EXPECT_NE(r.detail.find("server's application saw 7 records but the wire delivered only 6 distinct"),
            std::string::npos)
      << r.detail;
}

// A record the wire dropped cannot have reached the application.
TEST(AppDataIntact, ARecordTheWireNeverDeliveredCannotBeSeen) {
  auto b = echoed(1, 1, 0, /*server_dups=*/1, [](const auto& c2s) {
    c2s[0]->deliveries_us.clear();
    c2s[0]->fate = "dropped";
  });
  auto r = make_app_data_intact()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("server's application saw 6 records but the wire delivered only 5 distinct"),
            std::string::npos)
      << r.detail;
}

TEST(AppDataIntact, FailsWhenTheEchoDiffers) {
  auto b = echoed(0, 0, 0, 0);
  b.client.events.back()["echoed_sha256"] = std::string(64, 'b');
  auto r = make_app_data_intact()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("echoed_sha256 differs"), std::string::npos) << r.detail;
}

TEST(AppDataIntact, FailsWhenBytesAreShort) {
  auto b = echoed(0, 0, 0, 0);
  b.scenario.workload.echo_bytes = 8192;
  auto r = make_app_data_intact()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("client bytes 4096 != echo_bytes 8192"), std::string::npos) << r.detail;
}

TEST(AppDataIntact, FailsWhenAReportIsMissing) {
  LogBuilder b;
  testing::clean_handshake(b, false);
  auto r = make_app_data_intact()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_EQ(r.detail, "missing app_data report from both peers");
}

TEST(AppDataIntact, NotApplicableWhenTheHandshakeFailsAsExpected) {
  LogBuilder b;
  b.scenario.expect.handshake_completes = false;
  EXPECT_EQ(make_app_data_intact()->run(b.inputs()).verdict, Verdict::not_applicable);
}

}  // namespace
}  // namespace wireproof::checks
