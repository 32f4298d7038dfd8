#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/log_builder.hpp"

namespace wireproof::checks {
namespace {

using testing::LogBuilder;

TEST(HandshakeCompletes, PassesWhenBothPeersReportHandshakeDone) {
  LogBuilder b;
  testing::clean_handshake(b, true);
  auto r = make_handshake_completes()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["client"]["version"], "DTLSv1.2");
  EXPECT_EQ(r.measured["server"]["cipher"], "ECDHE-ECDSA-AES128-GCM-SHA256");
  EXPECT_EQ(r.evidence.size(), 2u);
}

TEST(HandshakeCompletes, FailsWhenTheServerNeverFinishes) {
  LogBuilder b;
  b.client_event({{"event", "handshake_done"}, {"version", "DTLSv1.2"}, {"cipher", "X"}, {"time_ms", 3}}, 3);
  b.server_event({{"event", "error"}, {"message", "timeout"}}, 30);
  b.server.exit_code = 1;
  auto r = make_handshake_completes()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_EQ(r.measured["server"]["handshake_done"], false);
  EXPECT_EQ(r.measured["server"]["exit_code"], 1);
  EXPECT_NE(r.detail.find("server did not report"), std::string::npos) << r.detail;
}

TEST(HandshakeCompletes, ExpectedFailurePassesOnlyWhenTheHandshakeFails) {
  LogBuilder failed;
  failed.scenario.expect.handshake_completes = false;
  failed.client_event({{"event", "alert"}, {"direction", "received"}, {"level", "fatal"}}, 2);
  EXPECT_EQ(make_handshake_completes()->run(failed.inputs()).verdict, Verdict::pass);

  LogBuilder completed;
  completed.scenario.expect.handshake_completes = false;
  testing::clean_handshake(completed, false);
  auto r = make_handshake_completes()->run(completed.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_EQ(r.expected["handshake"], "fail");
}

TEST(HandshakeCompletes, ReadsPeerEventsFromTheLogWhenOutcomesAreEmpty) {
  LogBuilder b;
  testing::clean_handshake(b, false);
  b.client.events.clear();
  b.server.events.clear();
  EXPECT_EQ(make_handshake_completes()->run(b.inputs()).verdict, Verdict::pass);
}

}  // namespace
}  // namespace wireproof::checks
