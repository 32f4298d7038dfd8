#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/tcp/tcp_support.hpp"
#include "harness/checks/testdata/check_expect.hpp"
#include "harness/checks/testdata/tcp_log_builder.hpp"

namespace wireproof::checks {
namespace {

using testing::LogBuilder;
using testing::TcpLogBuilder;
using testing::fails_saying;
namespace f = events::tcp_flags;

using tcp::peer_dir;

// A keep-alive probe of `dir`: no data, seq = SND.NXT - 1, acking the peer.
events::Datagram& probe(TcpLogBuilder& t, const std::string& dir, double ms) {
  const auto sent = [&](const std::string& d) { return static_cast<std::uint32_t>(t.written(d).size()); };
  return t.segment(dir, ms, f::ack, t.isn(dir) + sent(dir), t.isn(peer_dir(dir)) + 1 + sent(peer_dir(dir)));
}

struct KeepaliveRun {
  LogBuilder b;
  TcpLogBuilder t{b};
  explicit KeepaliveRun(scenario::Keepalive k = {1, 1, 3}) {
    b.scenario.tcp.workload = "keepalive";
    b.scenario.tcp.keepalive = k;
    t.handshake(0);  // the client last hears the server at 0.15 ms (the SYN-ACK's delivery)
  }
  // The client's probes at `at` (ms) go unanswered, then it gives up at give_up_ms (0: never):
  // a RST, and ETIMEDOUT to its application unless `tell` is false.
  void vanished(std::initializer_list<double> at, double give_up_ms, bool tell = true) {
    for (double ms : at) probe(t, "c2s", ms);
    if (give_up_ms > 0) {
      t.rst("c2s", give_up_ms);
      if (tell) b.client_event({{"event", "error"}, {"errno", "ETIMEDOUT"}, {"after_ms", give_up_ms}}, give_up_ms + 1);
    }
  }
  CheckResult judge() const { return make_keepalive()->run(b.inputs()); }
};

TEST(Keepalive, ProbesOnScheduleThenGivingUpAfterTheCountPasses) {
  KeepaliveRun run;
  run.vanished({1000.2, 2000.2, 3000.2}, 4000.2);
  const auto r = run.judge();
  ASSERT_EQ(r.verdict, Verdict::pass) << r.detail;
  const auto& client = r.measured["sides"][0];
  EXPECT_EQ(client["probes"].size(), 3u);
  EXPECT_EQ(client["probes"][0]["after_ms"], 1000.05);
  EXPECT_EQ(client["probes"][1]["after_ms"], 1000);
  EXPECT_EQ(client["gave_up"]["with"], "rst");
  EXPECT_EQ(client["gave_up"]["after_last_probe_ms"], 1000);
  EXPECT_EQ(client["unanswered"], 3);
}

// keepalive-peer-vanishes with two kernels: the server's segments are all
// dropped, it probes and gives up too, and its RST leaves just after the
// client's RST reached it. Its give-up is still its own RST.
TEST(Keepalive, BothSidesGivingUpAtOnceEachGaveUpWithItsRst) {
  KeepaliveRun run;
  for (double ms : {1000.2, 2000.2, 3000.2}) {
    probe(run.t, "c2s", ms);
    auto& lost = probe(run.t, "s2c", ms + 0.1);
    lost.fate = "dropped", lost.deliveries_us.clear();
  }
  run.vanished({}, 4000.2);
  auto& server_rst = run.t.rst("s2c", 4000.3);
  server_rst.fate = "dropped", server_rst.deliveries_us.clear();
  run.b.server_event({{"event", "error"}, {"errno", "ETIMEDOUT"}}, 4001);
  const auto r = run.judge();
  ASSERT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["sides"][1]["gave_up"]["with"], "rst");
  EXPECT_EQ(r.measured["sides"][1]["gave_up"]["after_last_probe_ms"], 1000);
}

TEST(Keepalive, AProbeBeforeTheIdleTimeFails) {
  KeepaliveRun run;
  run.vanished({500, 1500, 2500}, 3500);
  const auto r = run.judge();
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("c2s (client): probe i=3 came 500 ms after the segment it received last (i=1), expected 1000 ms"),
            std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));
}

TEST(Keepalive, ProbesCloserThanTheIntervalFail) {
  KeepaliveRun run;
  run.vanished({1000.2, 1500.2, 2000.2}, 3000.2);
  EXPECT_TRUE(fails_saying(run.judge(), "probe i=4 came 500 ms after its probe i=3, expected 1000 ms (+- 100)"));
}

TEST(Keepalive, GivingUpAfterMoreProbesThanTheCountFails) {
  KeepaliveRun run;
  run.vanished({1000.2, 2000.2, 3000.2, 4000.2}, 5000.2);
  EXPECT_TRUE(fails_saying(run.judge(), "gave up after 4 unanswered probe(s), configured count 3"));
}

TEST(Keepalive, GivingUpAfterFewerProbesThanTheCountFails) {
  KeepaliveRun run;
  run.vanished({1000.2, 2000.2}, 3000.2);
  EXPECT_TRUE(fails_saying(run.judge(), "gave up after 2 unanswered probe(s), configured count 3"));
}

TEST(Keepalive, GivingUpBeforeTheLastProbesIntervalFails) {
  KeepaliveRun run;  // gives the last probe half the interval to be answered
  run.vanished({1000.2, 2000.2, 3000.2}, 3500.2);
  EXPECT_TRUE(fails_saying(run.judge(),
                             "gave up 500 ms after its last probe i=5, expected the interval 1000 ms (+- 100)"));
}

TEST(Keepalive, GivingUpWithoutTellingTheApplicationFails) {
  KeepaliveRun run;
  run.vanished({1000.2, 2000.2, 3000.2}, 4000.2, false);
  EXPECT_TRUE(fails_saying(run.judge(),
                             "ended the connection (RST i=6) after 3 unanswered probe(s) but its application was not told ETIMEDOUT"));
}

TEST(Keepalive, ProbingOnPastTheCountFails) {
  KeepaliveRun run;
  run.vanished({1000.2, 2000.2, 3000.2, 4000.2, 5000.2}, 0);
  EXPECT_TRUE(fails_saying(run.judge(), "kept probing: 5 unanswered probes, configured count 3"));
}

TEST(Keepalive, NotGivingUpWhenDueFails) {
  KeepaliveRun run;
  run.vanished({1000.2, 2000.2, 3000.2}, 0);
  run.b.client_event({{"event", "closed"}, {"reason", "stopped"}}, 6000);  // the run went on 2 s past the give-up
  EXPECT_TRUE(fails_saying(run.judge(),
                             "c2s (client): the give-up was due 1000 ms after its probe i=5, but nothing came for 2000 ms more"));
}

TEST(Keepalive, NeverProbingAnIdleConnectionFails) {
  KeepaliveRun run;
  run.b.client_event({{"event", "closed"}, {"reason", "stopped"}}, 5000);
  EXPECT_TRUE(fails_saying(run.judge(),
                             "a first probe was due 1000 ms after the segment it received last (i=1), but nothing came for "
                             "4000 ms more (it never probed)"));
}

// RFC 1122 4.2.3.6: an answer is an acknowledgement received, so the next
// probe waits the idle time again, not the interval.
TEST(Keepalive, AnAnsweredProbeRestartsTheIdleTime) {
  KeepaliveRun answered({2, 1, 3});
  probe(answered.t, "c2s", 2000.2);
  answered.t.ack("s2c", 2000.5);
  probe(answered.t, "c2s", 4000.6);
  const auto ok = answered.judge();
  EXPECT_EQ(ok.verdict, Verdict::pass) << ok.detail;
  EXPECT_EQ(ok.measured["sides"][0]["probes"][1]["after"], "the segment it received last (i=4)");

  KeepaliveRun eager({2, 1, 3});
  probe(eager.t, "c2s", 2000.2);
  eager.t.ack("s2c", 2000.5);
  probe(eager.t, "c2s", 3000.2);  // the interval after an answered probe: too soon
  EXPECT_TRUE(fails_saying(eager.judge(),
                             "probe i=5 came 1000 ms after the segment it received last (i=4), expected 2000 ms"));
}

// lwIP restarts its keep-alive timer on any segment, the peer's own probes
// included; Linux does not. Either reading of the RFC fits.
TEST(Keepalive, APeerProbeMayRestartTheIdleTime) {
  KeepaliveRun run({1, 2, 3});
  probe(run.t, "c2s", 1000.2);
  probe(run.t, "s2c", 1000.3);       // delivered to the client at 1000.35
  probe(run.t, "c2s", 2000.35);      // idle after the peer's probe; the interval (2 s) after its own would be 3000.2
  const auto r = run.judge();
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["sides"][0]["probes"][1]["after"], "the segment it received last (i=4)");
}

// lwIP counts its timers in 500 ms slow-timer ticks (timer_tick_us in its
// tcp_info) and probes on the first tick after the idle time: 1.0-1.5 s after
// the last segment for idle 1 s, by the tick's phase (1252 ms in one matrix
// run, 1.0 s in the next). Late by up to a tick fits; early never does, nor
// does a kernel's timer that late.
TEST(Keepalive, ATickedTimerMayProbeUpToOneTickLateButNeverEarly) {
  const nlohmann::json ticked = {{"event", "tcp_info"}, {"rto_us", 3000000}, {"timer_tick_us", 500000}};
  KeepaliveRun lwip;
  lwip.b.client_event(ticked, 0.2);
  lwip.vanished({1252, 2252, 3252}, 4252);
  const auto r = lwip.judge();
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["sides"][0]["timer_tick_ms"], 500);

  KeepaliveRun kernel;
  kernel.vanished({1252, 2252, 3252}, 4252);
  EXPECT_TRUE(fails_saying(kernel.judge(), "probe i=3 came 1252 ms after the segment it received last (i=1), expected 1000 ms (+- 100)"));

  KeepaliveRun too_late;
  too_late.b.client_event(ticked, 0.2);
  too_late.vanished({1700, 2700, 3700}, 4700);
  EXPECT_TRUE(fails_saying(too_late.judge(), "expected 1000 ms (+- 100, or up to a 500 ms timer tick late)"));

  KeepaliveRun early;
  early.b.client_event(ticked, 0.2);
  early.vanished({700, 1700, 2700}, 3700);
  EXPECT_EQ(early.judge().verdict, Verdict::fail) << "a tick never excuses an early probe";
}

TEST(Keepalive, WithoutKeepalivesConfiguredIsNotApplicable) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("c2s", 1, 100);
  t.ack("s2c", 2);
  EXPECT_EQ(make_keepalive()->run(b.inputs()).verdict, Verdict::not_applicable);
}

}  // namespace
}  // namespace wireproof::checks
