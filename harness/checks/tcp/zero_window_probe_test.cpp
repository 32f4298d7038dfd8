#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/check_expect.hpp"
#include "harness/checks/testdata/tcp_log_builder.hpp"

namespace wireproof::checks {
namespace {

using testing::LogBuilder;
using testing::TcpLogBuilder;
using testing::fails_saying;

// The client sends 1000 bytes at 1 ms; the server acks them at 2 ms with window 0.
void window_closes_at_2ms(TcpLogBuilder& t) {
  t.handshake(0);
  t.data("c2s", 1, 1000);
  t.set_window("s2c", 0);
  t.ack("s2c", 2);
}

// The server's window closes at 2 ms; the client probes at `probes` (ms,
// a byte past the edge, answered with window 0); the window opens at
// `open_ms` and the client sends 1000 new bytes at `resume_ms` (0: never).
LogBuilder stalled(std::initializer_list<double> probes, double open_ms, double resume_ms) {
  LogBuilder b;
  TcpLogBuilder t(b);
  window_closes_at_2ms(t);
  bool first = true;
  for (double ms : probes) {
    if (first) t.data("c2s", ms, 1);
    else t.resend("c2s", ms, 1000, 1);
    first = false;
    t.ack_upto("s2c", ms + 0.5, 1000);
  }
  t.set_window("s2c", 502);
  t.ack_upto("s2c", open_ms, 1000);
  if (resume_ms > 0) t.data("c2s", resume_ms, 1000);
  return b;
}

CheckResult judge(const LogBuilder& b) { return make_zero_window_probe()->run(b.inputs()); }

TEST(ZeroWindowProbe, ProbesThatBackOffAndAResumePass) {
  const auto r = judge(stalled({210, 620, 1440}, 2000, 2001));
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["periods"][0]["probes"], 3);
  EXPECT_EQ(r.measured["periods"][0]["intervals_ms"], nlohmann::json::array({410, 820}));
}

TEST(ZeroWindowProbe, NeverProbingFails) {
  EXPECT_TRUE(fails_saying(judge(stalled({}, 5000, 5001)), "the window stayed closed 4998 ms"));
}

TEST(ZeroWindowProbe, ProbesThatDoNotBackOffFail) {
  EXPECT_TRUE(fails_saying(judge(stalled({210, 420, 630, 840}, 2000, 2001)), "probe intervals did not grow"));
}

TEST(ZeroWindowProbe, NoDataAfterTheWindowOpensFails) {
  EXPECT_TRUE(fails_saying(judge(stalled({210, 620}, 1000, 0)), "but new data came never"));
}

// Only probes are judged for back-off. In an echo the sender also ACKs its
// peer's data, and a busy Linux resends data its peer had acked (it works
// through ACKs late): segments-duplicated lwip -> linux-rfc failed now and
// then on "intervals did not grow" over such segments.
TEST(ZeroWindowProbe, AcksAndResendsOfAckedDataAreNotProbes) {
  LogBuilder b;
  TcpLogBuilder t(b);
  window_closes_at_2ms(t);
  t.segment("c2s", 210, events::tcp_flags::ack, t.isn("c2s") + 1000, t.isn("s2c") + 1);  // Linux's probe: seq snd_una - 1
  t.ack_upto("s2c", 210.5, 1000);
  t.data("c2s", 620, 1);                    // a byte past the edge
  t.ack_upto("s2c", 620.5, 1000);
  t.data("s2c", 900, 500);                  // the receiver's own data ...
  t.ack("c2s", 900.5);                      // ... acked by the sender: no probe
  t.resend("c2s", 901, 0, 1000);            // acked data again: no probe
  t.set_window("s2c", 502);
  t.ack_upto("s2c", 2000, 1000);
  t.data("c2s", 2001, 1000);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["periods"][0]["probes"], 2) << r.measured.dump();
  EXPECT_EQ(r.measured["periods"][0]["intervals_ms"], nlohmann::json::array({410})) << r.measured.dump();
}

// The wire's rst rule replaces `d` by an RST|ACK with window 0 (harness/wire
// to_reset): the event keeps the segment as sent, `delivered` the RST.
void rewritten_to_rst(events::Datagram& d) {
  d.ip->header_length = 20;
  std::vector<std::uint8_t> rst(40, 0);
  rst[20 + 13] = events::tcp_flags::rst | events::tcp_flags::ack;  // window (bytes 14-15) 0
  d.delivered = {rst};
  d.actions.push_back({"reset-mid-echo", "rst", ""});
}

// abort-rst-truncation openssl -> openssl, as it failed with "window opened
// but new data came never": the server's segment made an RST (window 0)
// reached the client, which still sent data before it took the RST, then
// the server's next segment (window open) and only RSTs from the client.
TEST(ZeroWindowProbe, TheWiresRstIsNoZeroWindow) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("c2s", 1, 1000);
  t.ack("s2c", 2);
  rewritten_to_rst(t.data("s2c", 3, 1000));
  t.data("c2s", 3.01, 1000);  // sent before the client processed the RST
  t.data("s2c", 3.02, 1000);
  t.rst("c2s", 3.1);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
  EXPECT_NE(r.detail.find("is the reset, its window 0 no zero window"), std::string::npos) << r.detail;
}

// A reset ends what the sender owes: the receiver aborts 5 ms after its
// window opened, before the sender wrote again. A reset later than
// resume_ms does not excuse the missed resume.
TEST(ZeroWindowProbe, AResetSoonAfterTheWindowOpensEndsTheResume) {
  auto b = stalled({210, 620}, 1000, 0);
  TcpLogBuilder(b).rst("s2c", 1005);
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["periods"][0]["reset_before_resume"]["after_open_ms"], 5) << r.measured.dump();
  auto late = stalled({210, 620}, 1000, 0);
  TcpLogBuilder(late).rst("s2c", 2500);
  EXPECT_TRUE(fails_saying(judge(late), "but new data came never before the reset 1500 ms later"));
}

// A window closed after the reset is not judged; one the reset cuts ends there.
TEST(ZeroWindowProbe, NothingAfterTheResetIsJudged) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("c2s", 1, 1000);
  t.ack("s2c", 2);
  t.rst("c2s", 3);
  t.set_window("s2c", 0);
  t.ack("s2c", 3.2);       // a zero window the client gets after it reset
  t.data("c2s", 5000, 1);  // and nothing it owes the server
  const auto r = judge(b);
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
  EXPECT_NE(r.detail.find("c2s: the window closed (i="), std::string::npos) << r.detail;
  LogBuilder cut;  // closed, never probed, reset 500 ms later: not the 4998 ms the window stayed closed
  TcpLogBuilder tc(cut);
  window_closes_at_2ms(tc);
  const std::uint64_t rst_i = tc.rst("s2c", 500).i;
  tc.data("c2s", 5000, 1);
  const auto rc = judge(cut);
  EXPECT_EQ(rc.verdict, Verdict::pass) << rc.detail;
  EXPECT_EQ(rc.measured["periods"][0]["ended_by_reset_i"], rst_i) << rc.measured.dump();
}

TEST(ZeroWindowProbe, NoZeroWindowIsNotApplicable) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("c2s", 1, 100);
  t.ack("s2c", 2);
  EXPECT_EQ(judge(b).verdict, Verdict::not_applicable);
}

}  // namespace
}  // namespace wireproof::checks
