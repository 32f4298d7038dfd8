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
