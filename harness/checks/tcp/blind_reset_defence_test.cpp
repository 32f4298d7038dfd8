#include <algorithm>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/tcp_log_builder.hpp"

namespace wireproof::checks {
namespace {

using testing::LogBuilder;
using testing::TcpLogBuilder;
namespace f = events::tcp_flags;

CheckResult judge(const LogBuilder& b) { return make_blind_reset_defence()->run(b.inputs()); }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A segment the wire forged as `dir`'s sender, `rel` bytes past its first data
// byte (the inject action's seq: rcv_nxt + N), delivered 0.05 ms later.
events::Datagram& inject(TcpLogBuilder& t, const std::string& dir, double t_ms, std::uint8_t flags, std::int64_t rel) {
  auto& d = t.segment(dir, t_ms, flags, t.isn(dir) + 1 + static_cast<std::uint32_t>(rel), 0);
  d.origin = "wire";
  return d;
}

// The client sent 1000 bytes, the server acked them: the server's RCV.NXT is
// 1000 and its window ends at 1000 + 502 << 7.
void established(TcpLogBuilder& t) {
  t.handshake(0);
  t.data("c2s", 1, 1000);
  t.ack("s2c", 1.5);
}

// The server's application says its connection was reset.
void server_reports_reset(LogBuilder& b, double t_ms) {
  b.server_event({{"event", "error"}, {"errno", "ECONNRESET"}, {"message", "recv: Connection reset by peer"}}, t_ms);
}

// The connection goes on: the client sends more, the server acks it.
void goes_on(TcpLogBuilder& t, double t_ms) {
  t.data("c2s", t_ms, 500);
  t.ack("s2c", t_ms + 0.5);
}

TEST(BlindResetDefence, InWindowRstAnsweredByAChallengeAckPasses) {
  LogBuilder b;
  TcpLogBuilder t(b);
  established(t);
  inject(t, "c2s", 10, f::rst, 1000 + 1000);
  const std::uint64_t challenge = t.ack("s2c", 10.2).i;  // ack 1000, seq SND.NXT, the same window
  goes_on(t, 700);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  ASSERT_EQ(r.measured["injections"].size(), 1u);
  const auto& m = r.measured["injections"][0];
  EXPECT_EQ(m["kind"], "in-window RST");
  EXPECT_EQ(m["rcv_nxt"], 1000);
  EXPECT_EQ(m["rcv_wnd_end"], 1000 + (502 << 7));
  EXPECT_EQ(m["challenge_ack"]["i"], challenge);
  EXPECT_TRUE(has(r.detail, "challenge ACK i=")) << r.detail;
}

// Right after the handshake the server's previous segment is its SYN-ACK,
// whose window is unscaled (64240): the challenge ACK's 502 << 7 = 64256 is
// the same window but for the scaling's rounding, not a window update.
TEST(BlindResetDefence, AChallengeAckRightAfterTheHandshakeCounts) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  inject(t, "c2s", 0.3, f::rst, 1000);
  const std::uint64_t challenge = t.ack("s2c", 0.4).i;
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail << r.measured.dump();
  EXPECT_EQ(r.measured["injections"][0]["challenge_ack"]["i"], challenge);
}

TEST(BlindResetDefence, InWindowRstWithoutAChallengeAckFails) {
  LogBuilder b;
  TcpLogBuilder t(b);
  established(t);
  inject(t, "c2s", 10, f::rst, 2000);
  goes_on(t, 700);  // it survived, but never answered the RST
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_TRUE(has(r.detail, "in-window RST i=5 (seq 2000, the server's RCV.NXT 1000")) << r.detail;
  EXPECT_TRUE(has(r.detail, "no challenge ACK (pure ACK, ack 1000) within 500 ms; RFC 5961 3.2")) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
}

TEST(BlindResetDefence, InWindowRstThatResetsTheConnectionFails) {
  {
    LogBuilder b;  // the server's next answer is a RST: its connection is gone
    TcpLogBuilder t(b);
    established(t);
    inject(t, "c2s", 10, f::rst, 2000);
    t.data("c2s", 20, 500);
    const std::uint64_t rst = t.rst("s2c", 20.1).i;
    const auto r = judge(b);
    EXPECT_EQ(r.verdict, Verdict::fail);
    EXPECT_TRUE(has(r.detail, fmt::format("the connection was reset: its first answer after the injection was a RST "
                                          "(i={})", rst)))
        << r.detail;
  }
}

// The wire is the truth about the attacked side: its own report of a reset
// does not outweigh a challenge ACK or later traffic (it failed here before:
// the report was read first and taken as the reset).
TEST(BlindResetDefence, AResetReportTheWireContradictsIsNotTaken) {
  LogBuilder b;
  TcpLogBuilder t(b);
  established(t);
  inject(t, "c2s", 10, f::rst, 2000);
  t.ack("s2c", 10.2);  // the challenge ACK
  server_reports_reset(b, 10.3);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_TRUE(has(r.detail, "not reset (it sent the challenge ACK i=6)")) << r.detail;
  EXPECT_TRUE(has(r.measured["injections"][0]["app_report"].get<std::string>(),
                  "the server's application reported the reset ({\"errno\":\"ECONNRESET\""))
      << r.measured.dump();
  EXPECT_TRUE(has(r.measured["injections"][0]["app_report"].get<std::string>(), "the wire shows the connection went on: "
                                                                                 "not taken"))
      << r.measured.dump();
}

// An exact RST the wire shows was not taken fails, whatever the side's
// application says later (it passed before: any ECONNRESET after the
// injection counted as this one's reset).
TEST(BlindResetDefence, AnExactRstTheWireShowsIgnoredFailsThoughTheAppReportsAReset) {
  LogBuilder b;
  TcpLogBuilder t(b);
  established(t);
  inject(t, "c2s", 10, f::rst, 1000);
  goes_on(t, 700);  // the server acks data sent after the RST: its connection went on
  server_reports_reset(b, 800);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_TRUE(has(r.detail, "the connection was not reset (it acked data delivered after the injection (i=7))")) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
}

// A reset report after the next connection began may be that connection's:
// it is not this injection's (before, it was taken, and the server failed).
TEST(BlindResetDefence, AResetReportFromALaterConnectionIsNotTaken) {
  LogBuilder b;
  TcpLogBuilder t(b);
  established(t);
  inject(t, "c2s", 10, f::rst, 1000 + (502 << 7) + 100000);  // out of window: must not reset
  t.segment("c2s", 50, f::syn, t.isn("c2s") + 500000, 0);      // the client connects again
  b.server_event({{"event", "closed"}, {"reason", "rst"}}, 60);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
  EXPECT_FALSE(r.measured["injections"][0].contains("reset")) << r.measured.dump();
  EXPECT_TRUE(has(r.measured["not_judged"][0]["why"].get<std::string>(), "nothing after it showed whether the server's "
                                                                          "connection survived"))
      << r.measured.dump();
}

// With no report at all, the wire can show the reset: the attacked side
// answers nothing while the peer resends data it delivered to it (before, the
// exact RST was not judged).
TEST(BlindResetDefence, SilenceWhileThePeerResendsIsAReset) {
  LogBuilder b;
  TcpLogBuilder t(b);
  established(t);
  inject(t, "c2s", 10, f::rst, 1000);
  const std::uint64_t asked = t.data("c2s", 20, 500).i;
  const std::uint64_t resend = t.resend("c2s", 620, 1000, 500).i;
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail << r.measured.dump();
  EXPECT_TRUE(has(r.detail, "reset, as RFC 5961 3.2 requires")) << r.detail;
  EXPECT_TRUE(has(r.measured["injections"][0]["reset"].get<std::string>(),
                  fmt::format("it sent nothing after the injection, not even an ACK of the client's i={}", asked)))
      << r.measured.dump();
  EXPECT_NE(std::find(r.evidence.begin(), r.evidence.end(), resend), r.evidence.end());

  LogBuilder b2;  // an in-window RST: the same silence fails it
  TcpLogBuilder t2(b2);
  established(t2);
  inject(t2, "c2s", 10, f::rst, 2000);
  t2.data("c2s", 20, 500);
  t2.resend("c2s", 620, 1000, 500);
  const auto r2 = judge(b2);
  EXPECT_EQ(r2.verdict, Verdict::fail);
  EXPECT_TRUE(has(r2.detail, "the connection was reset: it sent nothing after the injection")) << r2.detail;
}

TEST(BlindResetDefence, AnExactRstMustResetTheConnection) {
  LogBuilder b;
  TcpLogBuilder t(b);
  established(t);
  inject(t, "c2s", 10, f::rst, 1000);  // seq == RCV.NXT
  goes_on(t, 700);
  auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_TRUE(has(r.detail, "exact RST i=5 (seq 1000, the server's RCV.NXT 1000")) << r.detail;
  EXPECT_TRUE(has(r.detail, "an exact match MUST reset it")) << r.detail;

  LogBuilder b2;
  TcpLogBuilder t2(b2);
  established(t2);
  inject(t2, "c2s", 10, f::rst, 1000);
  b2.server_event({{"event", "closed"}, {"reason", "rst"}}, 10.1);
  r = judge(b2);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_TRUE(has(r.detail, "reset, as RFC 5961 3.2 requires")) << r.detail;
}

TEST(BlindResetDefence, AnOutOfWindowRstMustNotReset) {
  LogBuilder b;
  TcpLogBuilder t(b);
  established(t);
  inject(t, "c2s", 10, f::rst, 1000 + (502 << 7) + 1000);  // past the window's right edge
  goes_on(t, 700);
  auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;  // dropped silently: no ACK needed
  EXPECT_EQ(r.measured["injections"][0]["kind"], "out-of-window RST");

  LogBuilder b2;
  TcpLogBuilder t2(b2);
  established(t2);
  inject(t2, "c2s", 10, f::rst, -5000);  // below RCV.NXT: outside too
  t2.data("c2s", 20, 500);
  t2.rst("s2c", 20.1);
  r = judge(b2);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_TRUE(has(r.detail, "out-of-window RST i=5 (seq -5000")) << r.detail;
}

// The wire reads the server's ACKs of data delivered before the RST only
// after the RST: their larger window may already have been the server's when
// it processed the RST (blind-rst-out-of-window, linux -> linux: Linux sent a
// challenge ACK to a RST "outside" the window seen before it). Neither inside
// nor outside for sure: only the no-reset rule is judged.
TEST(BlindResetDefence, ARstBetweenTheEdgeSeenAndAWiderLateOneIsNotClassifiedOutside) {
  LogBuilder b;
  TcpLogBuilder t(b);
  established(t);
  t.data("c2s", 9.9, 1000);
  inject(t, "c2s", 10, f::rst, 1000 + (502 << 7) + 500);  // past the edge the server had shown
  t.set_window("s2c", 600);
  t.ack("s2c", 10.1);  // acks the data delivered before the RST, with a wider window
  goes_on(t, 700);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["injections"][0]["kind"], "RST at the window's edge") << r.measured.dump();
  EXPECT_EQ(r.measured["injections"][0]["rcv_wnd_end_maybe"], 2000 + (600 << 7));
  ASSERT_EQ(r.measured["not_judged"].size(), 1u);
  EXPECT_TRUE(has(r.measured["not_judged"][0]["why"].get<std::string>(), "advertised a window up to 78800"))
      << r.measured.dump();
}

// The client is attacked (forged as the server's), with a SYN: RFC 5961 4.2.
TEST(BlindResetDefence, ASynGetsAChallengeAckNotAReset) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("s2c", 1, 800);
  t.ack("c2s", 1.5);
  inject(t, "s2c", 10, f::syn, 800 + 1000);
  auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::fail);  // nothing answered it
  EXPECT_TRUE(has(r.detail, "SYN i=5 (seq 1800, the client's RCV.NXT 800")) << r.detail;
  EXPECT_TRUE(has(r.detail, "RFC 5961 4.2")) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));
  t.ack("c2s", 10.4);
  t.data("s2c", 800, 100);
  r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
}

// Keep-alives and Linux's window probes (seq SND.UNA - 1) are not answers.
TEST(BlindResetDefence, AKeepAliveIsNotAChallengeAck) {
  LogBuilder b;
  TcpLogBuilder t(b);
  established(t);
  inject(t, "c2s", 10, f::rst, 2000);
  t.segment("s2c", 10.2, f::ack, t.isn("s2c"), t.isn("c2s") + 1 + 1000);  // seq = SND.NXT - 1
  goes_on(t, 700);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_TRUE(has(r.detail, "no challenge ACK")) << r.detail;
}

// Data delivered just before the RST was not acked yet: the server's next
// ACK acks that data whether or not it also answers the RST.
TEST(BlindResetDefence, AnAckThatWasDueAnywayIsNotJudgedAsTheChallenge) {
  LogBuilder b;
  TcpLogBuilder t(b);
  established(t);
  t.data("c2s", 9.9, 1000);
  inject(t, "c2s", 10, f::rst, 2000 + 1000);
  t.ack("s2c", 10.2);
  goes_on(t, 700);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;  // the no-reset rule is judged, the ACK rule not
  ASSERT_EQ(r.measured["not_judged"].size(), 1u);
  EXPECT_TRUE(has(r.measured["not_judged"][0]["why"].get<std::string>(),
                  "challenge ACK not judged: its first ACK of 2000 (i=7) may be the ACK of data received before"))
      << r.measured.dump();
  EXPECT_TRUE(has(r.detail, "challenge ACK not judged")) << r.detail;
}

// Linux answers at most one out-of-window segment per tcp_invalid_ratelimit
// (500 ms); RFC 5961 7 allows the throttle.
TEST(BlindResetDefence, AMissingChallengeAckSoonAfterAnotherIsNotJudged) {
  LogBuilder b;
  TcpLogBuilder t(b);
  established(t);
  inject(t, "c2s", 10, f::rst, 2000);
  t.ack("s2c", 10.2);
  inject(t, "c2s", 110, f::rst, 3000);
  goes_on(t, 700);
  auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  ASSERT_EQ(r.measured["not_judged"].size(), 1u);
  EXPECT_TRUE(has(r.measured["not_judged"][0]["why"].get<std::string>(), "throttle (RFC 5961 7)")) << r.measured.dump();
  b.scenario.expect.check_params_json["blind_reset_defence"] = R"({"throttle_ms": 50})";
  r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
}

// Blind data (RFC 5961 5.2): 100 bytes forged as the client's at the
// server's RCV.NXT right after the handshake, acking `ack_past` bytes past
// the server's SND.NXT, with no options as the wire's inject sends it; so
// timestamps are off (a segment without the option they require may be
// dropped silently, RFC 7323 3.2).
events::Datagram& inject_data(TcpLogBuilder& t, double t_ms, std::int64_t ack_past) {
  auto& d = t.segment("c2s", t_ms, f::ack | f::psh, t.isn("c2s") + 1, t.isn("s2c") + 1 + static_cast<std::uint32_t>(ack_past),
                      testing::Bytes(100, 0x55));
  d.origin = "wire";
  d.tcp->ts_val.reset();  // the wire's inject carries no options
  d.tcp->ts_ecr.reset();
  return d;
}
void handshake_without_timestamps(TcpLogBuilder& t) {
  testing::SynOptions o;
  o.timestamps = false;
  t.handshake(0, o, o);
}

TEST(BlindResetDefence, BlindDataIsDiscardedAndAnAckSentBack) {
  LogBuilder b;
  TcpLogBuilder t(b);
  handshake_without_timestamps(t);
  inject_data(t, 0.3, 100000);
  const std::uint64_t answer = t.ack("s2c", 0.4).i;  // ack 0: RCV.NXT, the forged bytes not taken
  goes_on(t, 10);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail << r.measured.dump();
  EXPECT_EQ(r.measured["injections"][0]["kind"], "data");
  EXPECT_TRUE(has(r.detail, fmt::format("data i=3 (seq 0, the server's RCV.NXT 0, window end 64240) with ACK 100000 "
                                        "outside [-64256, 0]: ACK i={} sent back", answer)))
      << r.detail;
}

TEST(BlindResetDefence, BlindDataTakenOrLeftUnansweredFails) {
  {
    LogBuilder b;  // the server acks the forged bytes: it took them
    TcpLogBuilder t(b);
    handshake_without_timestamps(t);
    inject_data(t, 0.3, 100000);
    const std::uint64_t took = t.segment("s2c", 5, f::ack, t.isn("s2c") + 1, t.isn("c2s") + 1 + 100).i;
    const auto r = judge(b);
    EXPECT_EQ(r.verdict, Verdict::fail);
    EXPECT_TRUE(has(r.detail, fmt::format("it took the data: its ACK i={} acks 100, past the 0 the client's own segments "
                                          "had delivered to it; RFC 5961 5.2: it MUST be discarded", took)))
        << r.detail;
    EXPECT_TRUE(has(r.detail, "no ACK (pure, ack 0) sent back within 500 ms")) << r.detail;
    EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
  }
  {
    LogBuilder b;  // nothing answers it
    TcpLogBuilder t(b);
    handshake_without_timestamps(t);
    inject_data(t, 0.3, 100000);
    goes_on(t, 700);
    const auto r = judge(b);
    EXPECT_EQ(r.verdict, Verdict::fail);
    EXPECT_TRUE(has(r.detail, "no ACK (pure, ack 0) sent back within 500 ms; RFC 5961 5.2")) << r.detail;
  }
}

TEST(BlindResetDefence, BlindDataTheRuleDoesNotCoverIsNotJudged) {
  {
    LogBuilder b;  // its ACK is acceptable (SND.NXT): ordinary data, not RFC 5961 5.2's
    TcpLogBuilder t(b);
    handshake_without_timestamps(t);
    inject_data(t, 0.3, 0);
    goes_on(t, 700);
    const auto r = judge(b);
    EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
    EXPECT_TRUE(has(r.measured["not_judged"][0]["why"].get<std::string>(), "RFC 5961 5.2 does not apply")) << r.measured.dump();
  }
  {
    LogBuilder b;  // timestamps negotiated, none on the forged segment: it may be dropped silently
    TcpLogBuilder t(b);
    t.handshake(0);
    inject_data(t, 0.3, 100000);
    goes_on(t, 700);
    const auto r = judge(b);
    EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
    EXPECT_TRUE(has(r.measured["not_judged"][0]["why"].get<std::string>(), "RFC 7323 3.2")) << r.measured.dump();
  }
}

TEST(BlindResetDefence, NothingInjectedIntoASynchronizedConnectionIsNotApplicable) {
  LogBuilder b;
  TcpLogBuilder t(b);
  established(t);
  EXPECT_EQ(judge(b).verdict, Verdict::not_applicable);

  LogBuilder b2;
  TcpLogBuilder t2(b2);
  t2.syn("c2s", 0);
  t2.syn("s2c", 0.1);
  inject(t2, "c2s", 0.12, f::rst, 1000);  // the server is still in SYN-RECEIVED
  t2.ack("c2s", 0.2);
  const auto r = judge(b2);
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
  EXPECT_TRUE(has(r.measured["not_judged"][0]["why"].get<std::string>(), "the server: its SYN had not been acknowledged"))
      << r.measured.dump();
}

}  // namespace
}  // namespace wireproof::checks
