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
  EXPECT_NE(r.detail.find("c2s sent 1000 bytes and its FIN (seq 1000) but the peer acked only up to 1000"), std::string::npos)
      << r.detail;
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
  EXPECT_NE(r.detail.find("s2c sent data up to 500 after the peer's FIN"), std::string::npos) << r.detail;
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
  EXPECT_NE(r.detail.find("s2c sent an RST (i=3) though the workload does not abort"), std::string::npos) << r.detail;
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
  EXPECT_NE(r.detail.find("reached the client but it reported no ECONNRESET"), std::string::npos) << r.detail;
  b.client_event({{"event", "error"}, {"errno", "ECONNRESET"}, {"message", "recv: Connection reset by peer"}}, 6);
  EXPECT_EQ(judge(b).verdict, Verdict::pass) << judge(b).detail;
}

TEST(GracefulClose, NoCloseIsNotApplicable) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  EXPECT_EQ(judge(b).verdict, Verdict::not_applicable);
}

}  // namespace
}  // namespace wireproof::checks
