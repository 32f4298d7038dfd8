#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/tcp_log_builder.hpp"

namespace wireproof::checks {
namespace {

using testing::LogBuilder;
using testing::TcpLogBuilder;

CheckResult judge(const LogBuilder& b) { return make_graceful_close()->run(b.inputs()); }

TEST(GracefulClose, AFinExchangeWithEverythingAckedPasses) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("c2s", 1, 1000);
  t.fin("c2s", 2);
  t.data("s2c", 3, 500);  // half-close: the server still sends
  t.ack("c2s", 4);
  t.fin("s2c", 5);
  t.ack("c2s", 6);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["fins"], 2);
}

TEST(GracefulClose, AnUnackedFinFails) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("c2s", 1, 1000);
  t.ack("s2c", 1.5);
  t.fin("c2s", 2);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("c2s: the server acked only up to 1000 though the wire delivered the client's 1000 bytes and FIN "
                          "(seq 1000) to it"),
            std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));  // the receiver is judged
}

// A FIN the wire dropped (every copy) could not be acked: the receiver is not
// judged on it (before, the server failed for the client's dropped FIN).
TEST(GracefulClose, AFinTheWireDroppedLeavesTheReceiverNotJudged) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("c2s", 1, 1000);
  t.ack("s2c", 1.5);
  t.fin("c2s", 2).fate = "dropped";
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
  ASSERT_TRUE(r.measured.contains("not_judged")) << r.measured.dump();
  EXPECT_NE(r.measured["not_judged"][0].get<std::string>().find(
                "c2s: the server acked up to 1000 of the client's 1000 bytes and FIN (seq 1000), but the wire delivered "
                "it only through 1000"),
            std::string::npos)
      << r.measured.dump();
  EXPECT_FALSE(r.measured.contains("failed_dirs"));
  // Its resend reached the server: now the server must ack it.
  t.segment("c2s", 300, events::tcp_flags::fin | events::tcp_flags::ack, t.isn("c2s") + 1 + 1000, t.isn("s2c") + 1);
  const auto r2 = judge(b);
  EXPECT_EQ(r2.verdict, Verdict::fail) << r2.detail;
  EXPECT_EQ(r2.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
}

TEST(GracefulClose, HalfCloseDataLeftUnackedFails) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.fin("c2s", 2);
  t.ack("s2c", 2.5);
  t.data("s2c", 3, 500);  // the client never acks it
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("s2c: the client acked only up to 0 though the wire delivered the data the server sent up to 500 "
                          "after the client's FIN"),
            std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));

  LogBuilder b2;  // the same data dropped by the wire: the client is not judged on it
  TcpLogBuilder t2(b2);
  t2.handshake(0);
  t2.fin("c2s", 2);
  t2.ack("s2c", 2.5);
  t2.data("s2c", 3, 500).fate = "dropped";
  const auto r2 = judge(b2);
  EXPECT_EQ(r2.verdict, Verdict::pass) << r2.detail;  // the client's FIN was acked; the half-close not judged
  EXPECT_NE(r2.detail.find("not judged: s2c: the client acked up to 0 of the data the server sent up to 500"),
            std::string::npos)
      << r2.detail;
}

// Both FINs exchanged and acked, then a late duplicate reaches the server,
// whose socket is gone: its RST answers a segment for a closed connection
// (RFC 9293 3.10.7.1), it aborts nothing (rtt-100ms-jitter-4mb, Linux).
TEST(GracefulClose, AnRstAfterACompleteCloseIsNotAnAbort) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("c2s", 1, 1000);
  t.ack("s2c", 1.5);
  t.fin("c2s", 2);
  t.fin("s2c", 3);
  t.ack("c2s", 4);
  t.rst("s2c", 10);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["rsts_after_close_not_judged"].size(), 1u);
}

TEST(GracefulClose, AnUnaskedRstFails) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.rst("s2c", 5);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("s2c: the server sent an RST (i=3) though the workload does not abort"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
}

TEST(GracefulClose, AnAskedAbortNeedsTheResetReported) {
  LogBuilder b;
  b.scenario.expect.check_params_json["graceful_close"] = R"({"abort_expected": true})";
  TcpLogBuilder t(b);
  t.handshake(0);
  EXPECT_EQ(judge(b).verdict, Verdict::fail);  // no RST at all
  t.rst("s2c", 5);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("s2c: the server's RST (i=3) reached the client but it reported no ECONNRESET after it"),
            std::string::npos)
      << r.detail;
  // The client is judged, not the server that sent the RST (before: s2c).
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));
  b.client_event({{"event", "error"}, {"errno", "ECONNRESET"}, {"message", "recv: Connection reset by peer"}}, 6);
  EXPECT_EQ(judge(b).verdict, Verdict::pass) << judge(b).detail;
}

// A reset report from before the RST arrived is not the report of it (before, any report counted).
TEST(GracefulClose, AResetReportBeforeTheRstArrivedDoesNotCount) {
  LogBuilder b;
  b.scenario.tcp.workload = "abort-unread";
  TcpLogBuilder t(b);
  t.handshake(0);
  b.client_event({{"event", "closed"}, {"reason", "rst"}}, 4);
  t.rst("s2c", 5);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));
}

// The report follows the first RST; the RSTs that answer the client's later
// segments need none of their own (abort-with-unread-data, lwIP server: 5 RSTs).
TEST(GracefulClose, OneResetReportAfterTheFirstRstCoversTheLaterOnes) {
  LogBuilder b;
  b.scenario.tcp.workload = "abort-unread";
  TcpLogBuilder t(b);
  t.handshake(0);
  t.rst("s2c", 5);
  b.client_event({{"event", "error"}, {"errno", "ECONNRESET"}, {"message", "recv: Connection reset by peer"}}, 5.2);
  t.rst("s2c", 6);
  t.rst("s2c", 7);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
}

// abort-unread: the server aborts; a run without its RST fails the server (before: no side named).
TEST(GracefulClose, AnAbortWorkloadWithoutTheServersRstFailsTheServer) {
  LogBuilder b;
  b.scenario.tcp.workload = "abort-unread";
  TcpLogBuilder t(b);
  t.handshake(0);
  t.fin("c2s", 1);
  t.fin("s2c", 2);
  t.ack("c2s", 3);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("s2c: the abort-unread workload has the server abort, but it sent no RST"), std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
}

TEST(GracefulClose, NoCloseIsNotApplicable) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  EXPECT_EQ(judge(b).verdict, Verdict::not_applicable);
}

}  // namespace
}  // namespace wireproof::checks
