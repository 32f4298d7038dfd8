#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/log_builder.hpp"

namespace wireproof::checks {
namespace {

using namespace testing;

Bytes client_hello(std::uint64_t seq) {
  return record(kHandshake, 0, seq, handshake_message(1, 0, client_hello_body({})));
}

// The client's ClientHello at 0 ms, then again at each of `at_ms`, unanswered.
LogBuilder client_hello_resent_at(std::initializer_list<double> at_ms) {
  LogBuilder b;
  b.datagram("c2s", 0, client_hello(0), 1);
  std::uint64_t seq = 1;
  for (double t : at_ms) {
    auto& d = b.datagram("c2s", t, client_hello(seq++), 1, true);
    d.fate = "dropped";
    d.deliveries_us.clear();
  }
  return b;
}

TEST(RetransmissionSchedule, PassesOnADoublingTimer) {
  auto b = client_hello_resent_at({1000, 3000, 7000, 15000});
  auto r = make_retransmission_schedule()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["judged_retransmissions"], 4);
  EXPECT_EQ(r.measured["flights"][0]["intervals"][3]["expected_ms"], 8000.0);
  EXPECT_EQ(r.evidence.size(), 4u);
}

TEST(RetransmissionSchedule, FailsOnATimerThatDoesNotDouble) {
  auto b = client_hello_resent_at({1000, 2000, 3000});
  auto r = make_retransmission_schedule()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_EQ(r.measured["off_schedule"], 2);
  EXPECT_NE(r.detail.find("expected 2000 ms"), std::string::npos) << r.detail;
}

TEST(RetransmissionSchedule, ToleranceComesFromTheScenario) {
  // 1, 3, 6, 12 s: the GnuTLS 3.7 schedule measured in DESIGN.md.
  auto loose = client_hello_resent_at({1000, 3000, 6000, 12000});
  EXPECT_EQ(make_retransmission_schedule()->run(loose.inputs()).verdict, Verdict::pass);  // 25 %
  auto strict = client_hello_resent_at({1000, 3000, 6000, 12000});
  strict.scenario.expect.retransmit_tolerance_pct = 10;
  EXPECT_EQ(make_retransmission_schedule()->run(strict.inputs()).verdict, Verdict::fail);
}

TEST(RetransmissionSchedule, UsesTheConfiguredInitialTimer) {
  auto b = client_hello_resent_at({100, 300, 700});
  EXPECT_EQ(make_retransmission_schedule()->run(b.inputs()).verdict, Verdict::fail);  // 1 s default
  b.scenario.peers.timer_initial_ms = 100;
  EXPECT_EQ(make_retransmission_schedule()->run(b.inputs()).verdict, Verdict::pass);
}

// The client's ClientHello at 0, 100, 300 ms (a 100 ms timer), unanswered;
// then the server's flight 2 at 5000 ms, resent at 6000 and 8000 ms (a 1 s
// timer, as a stock tool whose timer is fixed), lost.
LogBuilder client_100ms_server_1s() {
  auto b = client_hello_resent_at({100, 300});
  const Bytes server_hello = record(kHandshake, 0, 0, handshake_message(2, 0, filler(80, 2)));
  b.datagram("s2c", 5000, server_hello, 2);
  for (double t : {6000.0, 8000.0}) {
    auto& d = b.datagram("s2c", t, server_hello, 2, true);
    d.fate = "dropped";
    d.deliveries_us.clear();
  }
  b.scenario.peers.timer_initial_ms = 100;
  return b;
}

TEST(RetransmissionSchedule, JudgesEachDirectionWithItsSendersEffectiveTimer) {
  auto b = client_100ms_server_1s();
  auto scenario_only = make_retransmission_schedule()->run(b.inputs());  // both sides 100 ms
  EXPECT_EQ(scenario_only.verdict, Verdict::fail) << scenario_only.detail;
  EXPECT_NE(scenario_only.detail.find("s2c flight 2"), std::string::npos) << scenario_only.detail;

  Inputs in = b.inputs();
  in.server_timer_initial_ms = 1000;  // the server's timer is fixed at 1 s
  auto r = make_retransmission_schedule()->run(in);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["judged_retransmissions"], 4);
  EXPECT_EQ(r.expected["initial_ms_by_dir"]["c2s"], 100.0);
  EXPECT_EQ(r.expected["initial_ms_by_dir"]["s2c"], 1000.0);
  EXPECT_TRUE(r.expected["initial_ms"].is_null());

  in.server_timer_initial_ms = 100;  // explicitly the same as the scenario: fails again
  EXPECT_EQ(make_retransmission_schedule()->run(in).verdict, Verdict::fail);

  Inputs wrong_side = b.inputs();
  wrong_side.client_timer_initial_ms = 1000;  // c2s is the client's: its 100 ms schedule now fails
  auto w = make_retransmission_schedule()->run(wrong_side);
  EXPECT_EQ(w.verdict, Verdict::fail);
  EXPECT_NE(w.detail.find("c2s flight 1"), std::string::npos) << w.detail;
}

TEST(RetransmissionSchedule, GroupsOneMessagePerDatagramIntoOneTransmission) {
  LogBuilder b;
  auto msg = [](std::uint64_t seq, int type, int msg_seq) {
    return record(kHandshake, 0, seq, handshake_message(type, msg_seq, filler(200, static_cast<std::uint8_t>(type))));
  };
  b.datagram("s2c", 0, concat({msg(0, 2, 0), msg(1, 11, 1), msg(2, 14, 2)}), 2);
  b.datagram("s2c", 1000, msg(3, 2, 0), 2, true);
  b.datagram("s2c", 1001, msg(4, 11, 1), 2, true);
  b.datagram("s2c", 1002, msg(5, 14, 2), 2, true);
  b.datagram("s2c", 3000, msg(6, 2, 0), 2, true);
  b.datagram("s2c", 3001, msg(7, 11, 1), 2, true);
  auto r = make_retransmission_schedule()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["flights"][0]["transmissions"], 3);
}

TEST(RetransmissionSchedule, ResponsesToThePeersRetransmissionAreReportedNotJudged) {
  // The server's last flight (6) is lost; the client's timer resends flight 5,
  // and the server answers each copy at once with flight 6 again.
  LogBuilder b;
  auto f5 = [](std::uint64_t seq) { return record(kHandshake, 0, seq, handshake_message(16, 2, filler(66))); };
  auto f6 = [](std::uint64_t seq) { return record(kChangeCipherSpec, 0, seq, Bytes{1}); };
  b.datagram("c2s", 0, f5(2), 5);
  b.datagram("s2c", 400, f6(5), 6).deliveries_us.clear();  // a slow server: off the client's rhythm
  b.datagram("c2s", 1000, f5(3), 5, true);
  b.datagram("s2c", 1002, f6(6), 6, true).deliveries_us.clear();
  b.datagram("c2s", 3000, f5(4), 5, true);
  b.datagram("s2c", 3002, f6(7), 6, true);
  auto r = make_retransmission_schedule()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["judged_retransmissions"], 2);
  EXPECT_EQ(r.measured["responses"], 2);
  EXPECT_EQ(r.measured["flights"][1]["intervals"][0]["kind"], "response");
}

TEST(RetransmissionSchedule, AcceptsATimerRetainedFromThePreviousFlight) {
  // Flight 1 needed two doublings; flight 3 starts from the retained 4 s.
  auto b = client_hello_resent_at({1000, 3000});
  b.datagram("s2c", 3001, record(kHandshake, 0, 2, handshake_message(3, 0, hello_verify_request_body(0xfeff, filler(8)))), 2);
  b.datagram("c2s", 3002, client_hello(3), 3);
  b.datagram("c2s", 7002, client_hello(4), 3, true).deliveries_us.clear();
  auto r = make_retransmission_schedule()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["flights"][1]["flight"], 3);
  EXPECT_EQ(r.measured["flights"][1]["timer_retained_levels"], 2);

  // But not an interval matching neither the reset nor the retained value.
  auto c = client_hello_resent_at({1000, 3000});
  c.datagram("c2s", 3002, client_hello(3), 3);
  c.datagram("c2s", 5502, client_hello(4), 3, true);
  EXPECT_EQ(make_retransmission_schedule()->run(c.inputs()).verdict, Verdict::fail);
}

TEST(RetransmissionSchedule, NotApplicableWhenNothingWasRetransmitted) {
  LogBuilder b;
  clean_handshake(b, true);
  auto r = make_retransmission_schedule()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::not_applicable);
  EXPECT_EQ(r.detail, "nothing was retransmitted");
}

TEST(RetransmissionSchedule, RejectsParametersThatAreNotNumbers) {
  auto b = client_hello_resent_at({1000});
  b.scenario.expect.check_params_json["retransmission_schedule"] = R"({"group_window_ms": "wide"})";
  EXPECT_THROW(make_retransmission_schedule()->run(b.inputs()), std::runtime_error);
  auto results = run_checks(b.inputs());
  auto it = std::find_if(results.begin(), results.end(),
                         [](const CheckResult& r) { return r.name == "retransmission_schedule"; });
  ASSERT_NE(it, results.end());
  EXPECT_EQ(it->verdict, Verdict::fail);
  EXPECT_NE(it->detail.find("check could not run"), std::string::npos);
}

}  // namespace
}  // namespace wireproof::checks

namespace wireproof::checks {
namespace {

TEST(RetransmissionSchedule, ATimerRetransmissionRightAfterThePeersIsStillJudgedAsTimer) {
  // Both sides on the same 100 ms timer (seen with OpenSSL <-> GnuTLS): the
  // server's retransmission lands just after the client's arrives.
  testing::LogBuilder b;
  b.scenario.peers.timer_initial_ms = 100;
  auto ch = [](std::uint64_t seq) {
    return testing::record(testing::kHandshake, 0, seq,
                           testing::handshake_message(1, 1, testing::client_hello_body({})));
  };
  auto sh = [](std::uint64_t seq) {
    return testing::record(testing::kHandshake, 0, seq, testing::handshake_message(2, 1, testing::filler(900)));
  };
  b.datagram("c2s", 7.0, ch(1), 3);
  b.datagram("s2c", 7.4, sh(1), 4).deliveries_us.clear();
  b.datagram("c2s", 108.2, ch(2), 3, true);
  b.datagram("s2c", 108.9, sh(2), 4, true).deliveries_us.clear();
  b.datagram("s2c", 309.0, sh(3), 4, true).deliveries_us.clear();
  b.datagram("c2s", 309.6, ch(3), 3, true);
  b.datagram("s2c", 708.0, sh(4), 4, true).deliveries_us.clear();
  auto r = make_retransmission_schedule()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["responses"], 0);
  EXPECT_EQ(r.measured["judged_retransmissions"], 5);
}

}  // namespace
}  // namespace wireproof::checks
