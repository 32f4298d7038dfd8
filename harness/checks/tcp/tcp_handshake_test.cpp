#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/check_expect.hpp"
#include "harness/checks/testdata/tcp_log_builder.hpp"

namespace wireproof::checks {
namespace {

using testing::LogBuilder;
using testing::SynOptions;
using testing::TcpLogBuilder;
using testing::fails_saying;

CheckResult judge(const LogBuilder& b) { return make_tcp_handshake()->run(b.inputs()); }

TEST(TcpHandshake, ACleanHandshakeAndDataPass) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("c2s", 1, 1448);
  t.ack("s2c", 1.5);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["completed"], 1);
  EXPECT_EQ(r.measured["connections"][0]["syn"]["mss"], 1460);
  EXPECT_EQ(r.evidence.size(), 3u);
}

TEST(TcpHandshake, AnUnansweredSynFails) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.syn("c2s", 0);
  t.syn("c2s", 1000);
  EXPECT_TRUE(fails_saying(judge(b), "no handshake completed (1 connection attempt(s): missing a delivered SYN-ACK"));
}

TEST(TcpHandshake, AnUnansweredSynIsNotApplicableWhenExpected) {
  LogBuilder b;
  b.scenario.expect.handshake_completes = false;
  TcpLogBuilder t(b);
  t.syn("c2s", 0);
  EXPECT_EQ(judge(b).verdict, Verdict::not_applicable);
}

// A TLS scenario's `handshake: fail` is the TLS handshake's: its TCP
// connection must still complete, and one that does not fails.
TEST(TcpHandshake, UnderTlsTheExpectedFailureIsTlssNotTcps) {
  for (const char* protocol : {"tls1.2", "tls1.3"}) {
    LogBuilder b;
    b.scenario.protocol = protocol;
    b.scenario.expect.handshake_completes = false;
    TcpLogBuilder t(b);
    t.syn("c2s", 0);
    EXPECT_TRUE(fails_saying(judge(b), "no handshake completed")) << protocol;
    LogBuilder done;
    done.scenario.protocol = protocol;
    done.scenario.expect.handshake_completes = false;
    TcpLogBuilder(done).handshake(0);
    EXPECT_EQ(judge(done).verdict, Verdict::pass) << protocol;
  }
}

TEST(TcpHandshake, NoTcpIsNotApplicable) {
  LogBuilder b;
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::not_applicable);
  EXPECT_EQ(r.detail, "no TCP segment in the log");
}

TEST(TcpHandshake, AnMssAboveTheLinkMtuFails) {
  LogBuilder b;
  b.link_mtu(0, 1400);
  TcpLogBuilder t(b);
  t.handshake(0);  // both SYNs say 1460 > 1400 - 40
  EXPECT_TRUE(fails_saying(judge(b), "SYN MSS option 1460 > link MTU 1400 - 40 = 1360"));
}

TEST(TcpHandshake, Ipv6HeadersAreSixtyBytes) {
  LogBuilder b;
  b.link_mtu(0, 1500);
  TcpLogBuilder t(b, 6);
  const SynOptions o{.mss = 1440};
  t.handshake(0, o, o);
  EXPECT_EQ(judge(b).verdict, Verdict::pass);
  LogBuilder b2;
  TcpLogBuilder t2(b2, 6);
  t2.handshake(0);  // 1460 > 1500 - 60
  EXPECT_EQ(judge(b2).verdict, Verdict::fail);
}

TEST(TcpHandshake, AWindowScaleTheSynDidNotOfferFails) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0, {.window_scale = std::nullopt}, {});
  EXPECT_TRUE(fails_saying(judge(b), "SYN-ACK has a window scale option the SYN did not offer"));
}

TEST(TcpHandshake, SackBlocksWithoutSackPermittedFail) {
  LogBuilder b;
  TcpLogBuilder t(b);
  const SynOptions no_sack{.sack_permitted = false};
  t.handshake(0, no_sack, no_sack);
  t.data("c2s", 1, 100).fate = "dropped";
  t.data("c2s", 1.1, 100);
  t.ack_upto("s2c", 1.5, 0, {{100, 200}});
  EXPECT_TRUE(fails_saying(judge(b), "s2c sent SACK blocks though SACK was not negotiated"));
}

TEST(TcpHandshake, DataBeyondTheOfferedWindowFails) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0, {}, {.window = 1000});
  t.data("c2s", 1, 1000);
  EXPECT_EQ(judge(b).verdict, Verdict::pass);
  t.data("c2s", 1.1, 500);  // the server has not acked yet: 500 bytes over
  EXPECT_TRUE(fails_saying(judge(b),
                             "c2s sent data up to relative seq 1500 beyond the offered right edge 1000 (500 bytes over)"));
}

TEST(TcpHandshake, OneByteProbePastAClosedWindowIsAllowed) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0, {}, {.window = 1000});
  t.data("c2s", 1, 1000);
  t.data("c2s", 300, 1);
  EXPECT_EQ(judge(b).verdict, Verdict::pass) << judge(b).detail;
}

}  // namespace
}  // namespace wireproof::checks
