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
  EXPECT_EQ(r.measured["epoch1_handshake_records"]["c2s"]["forwarded"], 1);
  EXPECT_EQ(r.measured["epoch1_handshake_records"]["s2c"]["forwarded"], 1);
  EXPECT_EQ(r.evidence.size(), 4u) << "both reports and both Finished datagrams";
}

// The wire's view of the handshake without the server's CCS+Finished flight
// (the last datagram clean_handshake logs before the peers' reports).
LogBuilder handshake_without_server_finished() {
  LogBuilder b;
  testing::clean_handshake(b, false);
  auto& events = b.log.events;
  for (auto it = events.end(); it != events.begin();) {
    --it;
    if (auto* d = std::get_if<events::Datagram>(&*it); d && d->dir == "s2c") {
      events.erase(it);
      break;
    }
  }
  return b;
}

TEST(HandshakeCompletes, AClaimWithoutTheServersFinishedOnTheWireFails) {
  auto b = handshake_without_server_finished();
  auto r = make_handshake_completes()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("client claimed handshake_done but the wire shows no epoch-1 handshake record from the server"),
            std::string::npos)
      << r.detail;
  EXPECT_NE(r.detail.find("server claimed handshake_done but the wire shows no epoch-1 handshake record from the server"),
            std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["completed"], false);
  EXPECT_EQ(r.measured["epoch1_handshake_records"]["s2c"]["arrived"], 0);
}

TEST(HandshakeCompletes, AClaimFailsWhenThePeersFinishedNeverLeftTheWire) {
  LogBuilder b;
  testing::clean_handshake(b, false);
  for (auto& e : b.log.events)
    if (auto* d = std::get_if<events::Datagram>(&e); d && d->dir == "c2s" && d->records.back().epoch == 1) {
      d->deliveries_us.clear();
      d->fate = "never_sent";
    }
  auto r = make_handshake_completes()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("server claimed handshake_done but no epoch-1 handshake record from the client was "
                          "delivered to it (1 arrived at the wire, none left it)"),
            std::string::npos)
      << r.detail;
  EXPECT_EQ(r.detail.find("client claimed"), std::string::npos) << "the client's claim is backed: " << r.detail;
}

TEST(HandshakeCompletes, AnExpectedFailureStillFailsOnAClaimTheWireRefutes) {
  auto b = handshake_without_server_finished();
  b.scenario.expect.handshake_completes = false;
  auto r = make_handshake_completes()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("no epoch-1 handshake record from the server"), std::string::npos) << r.detail;
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
  EXPECT_NE(r.detail.find("client claimed handshake_done but the wire shows no epoch-1 handshake record"),
            std::string::npos)
      << r.detail;
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
