#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/log_builder.hpp"

namespace wireproof::checks {
namespace {

using testing::LogBuilder;

LogBuilder echoed(std::uint64_t resent, std::uint64_t client_dups, std::uint64_t server_dups) {
  LogBuilder b;
  b.scenario.workload.echo_bytes = 4096;
  testing::clean_handshake(b, false);
  testing::app_data_reports(b, 4096, resent, client_dups, server_dups, 50);
  return b;
}

TEST(AppDataIntact, PassesWhenDigestsAndCountsAgree) {
  auto b = echoed(2, 1, 2);
  auto r = make_app_data_intact()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["server"]["duplicates"], 2);
  EXPECT_EQ(r.evidence.size(), 2u);
}

TEST(AppDataIntact, FailsWhenAReplayedRecordWasDelivered) {
  auto b = echoed(0, 0, 1);
  auto r = make_app_data_intact()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("server saw 1 duplicate"), std::string::npos) << r.detail;
}

TEST(AppDataIntact, FailsWhenTheEchoDiffers) {
  auto b = echoed(0, 0, 0);
  b.client.events.back()["echoed_sha256"] = std::string(64, 'b');
  auto r = make_app_data_intact()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("echoed_sha256 differs"), std::string::npos) << r.detail;
}

TEST(AppDataIntact, FailsWhenBytesAreShort) {
  auto b = echoed(0, 0, 0);
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
