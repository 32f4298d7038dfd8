#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/log_builder.hpp"

namespace wireproof::checks {
namespace {

using namespace testing;

Bytes client_hello(std::uint64_t seq) {
  return record(kHandshake, 0, seq, handshake_message(1, 0, client_hello_body({})));
}

// A copy of a datagram that the wire dropped (never delivered).
void lost(events::Datagram& d) {
  d.fate = "dropped";
  d.deliveries_us.clear();
}

// The client's ClientHello at 0 ms, then again at each of `at_ms`, unanswered.
LogBuilder client_hello_resent_at(std::initializer_list<double> at_ms) {
  LogBuilder b;
  b.datagram("c2s", 0, client_hello(0), 1);
  std::uint64_t seq = 1;
  for (double t : at_ms) lost(b.datagram("c2s", t, client_hello(seq++), 1, true));
  return b;
}

CheckResult run(const LogBuilder& b) { return make_retransmission_schedule()->run(b.inputs()); }

TEST(RetransmissionSchedule, PassesOnADoublingTimer) {
  auto b = client_hello_resent_at({1000, 3000, 7000, 15000});
  auto r = run(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["judged_retransmissions"], 4);
  EXPECT_EQ(r.measured["judged_by_dir"]["c2s"], 4);
  EXPECT_EQ(r.measured["judged_by_dir"]["s2c"], 0);
  EXPECT_EQ(r.measured["flights"][0]["intervals"][3]["expected_ms"], 8000.0);
  EXPECT_EQ(r.evidence.size(), 4u);
  EXPECT_NE(r.detail.find("judged: c2s 4 (wire only), s2c 0 (wire only)"), std::string::npos) << r.detail;
}

TEST(RetransmissionSchedule, FailsOnATimerThatDoesNotDouble) {
  auto b = client_hello_resent_at({1000, 2000, 3000});
  auto r = run(b);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_EQ(r.measured["off_schedule"], 2);
  EXPECT_NE(r.detail.find("expected 2000 ms"), std::string::npos) << r.detail;
}

// ---- the acceptance rule: interval since the flight's previous transmission,
// initial * 2^k, +- max(15 ms, 10 %); each flight starts at k = 0.

TEST(RetransmissionSchedule, TheRuleIsShownWithItsNumbers) {
  auto b = client_hello_resent_at({100, 300});
  b.scenario.peers.timer_initial_ms = 100;
  auto r = run(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.expected["tolerance_ms"], 15.0);
  EXPECT_EQ(r.expected["tolerance_pct"], 10.0);
  const std::string rule = r.expected["rule"];
  EXPECT_NE(rule.find("previous transmission"), std::string::npos) << rule;
  EXPECT_NE(rule.find("max(15 ms, 10 %)"), std::string::npos) << rule;
  EXPECT_EQ(r.expected["schedule_ms_by_dir"]["c2s"][0], "100 +- 15");
  EXPECT_EQ(r.expected["schedule_ms_by_dir"]["c2s"][2], "400 +- 40");
}

TEST(RetransmissionSchedule, ASteadyTimerThatRunsAQuarterSlowFails) {
  auto b = client_hello_resent_at({1250, 3750, 8750});  // 1.25, 2.5, 5 s
  EXPECT_EQ(run(b).verdict, Verdict::fail);
  auto fast = client_hello_resent_at({125, 375, 875});
  fast.scenario.peers.timer_initial_ms = 100;
  EXPECT_EQ(run(fast).verdict, Verdict::fail);
}

TEST(RetransmissionSchedule, ASteadyTimerThatRunsAQuarterFastFails) {
  auto b = client_hello_resent_at({750, 2250, 5250});  // 0.75, 1.5, 3 s
  EXPECT_EQ(run(b).verdict, Verdict::fail);
}

TEST(RetransmissionSchedule, OneTwoThreeSixSecondsFails) {
  auto b = client_hello_resent_at({1000, 3000, 6000, 12000});  // 1, 2, 3, 6 s apart
  auto r = run(b);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_EQ(r.measured["off_schedule"], 2);
}

TEST(RetransmissionSchedule, AOnePointFiveBackoffFails) {
  auto b = client_hello_resent_at({1000, 2500});  // 1, 1.5 s apart
  auto r = run(b);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("expected 2000 ms +- 200 ms"), std::string::npos) << r.detail;
}

TEST(RetransmissionSchedule, MeasuredOpensslNumbersPass) {
  // OpenSSL 3.0 with its 1 s timer, measured: 1.01, 2.02, 4.26, 8.19 s apart.
  auto b = client_hello_resent_at({1010, 3030, 7290, 15480});
  EXPECT_EQ(run(b).verdict, Verdict::pass) << run(b).detail;
  // And the shims with a 100 ms timer, within ~3 % (one woken 14 ms early:
  // OpenSSL's dtls1_get_timeout rounds the last 15 ms down to 0).
  auto shim = client_hello_resent_at({86, 292, 702});
  shim.scenario.peers.timer_initial_ms = 100;
  EXPECT_EQ(run(shim).verdict, Verdict::pass) << run(shim).detail;
}

TEST(RetransmissionSchedule, ToleranceComesFromTheScenario) {
  auto loose = client_hello_resent_at({1000, 3000, 6000, 12000});
  loose.scenario.expect.retransmit_tolerance_pct = 25;
  EXPECT_EQ(run(loose).verdict, Verdict::pass);
}

TEST(RetransmissionSchedule, EachFlightStartsAtTheInitialTimer) {
  // Flight 1 needed two doublings; flight 3 starts again from 1 s (OpenSSL
  // dtls1_stop_timer, GnuTLS RESET_TIMER, the ref's end_flight all reset).
  auto b = client_hello_resent_at({1000, 3000});
  b.datagram("s2c", 3001, record(kHandshake, 0, 2, handshake_message(3, 0, hello_verify_request_body(0xfeff, filler(8)))), 2);
  b.datagram("c2s", 3002, client_hello(3), 3);
  lost(b.datagram("c2s", 4002, client_hello(4), 3, true));
  auto r = run(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["flights"][1]["flight"], 3);
  EXPECT_EQ(r.measured["flights"][1]["intervals"][0]["backoff_level"], 0);

  // A flight that starts from the level the previous one reached fails.
  auto retained = client_hello_resent_at({1000, 3000});
  retained.datagram("c2s", 3002, client_hello(3), 3);
  lost(retained.datagram("c2s", 7002, client_hello(4), 3, true));
  auto f = run(retained);
  EXPECT_EQ(f.verdict, Verdict::fail);
  EXPECT_NE(f.detail.find("c2s flight 3"), std::string::npos) << f.detail;
}

TEST(RetransmissionSchedule, UsesTheConfiguredInitialTimer) {
  auto b = client_hello_resent_at({100, 300, 700});
  EXPECT_EQ(run(b).verdict, Verdict::fail);  // 1 s default
  b.scenario.peers.timer_initial_ms = 100;
  EXPECT_EQ(run(b).verdict, Verdict::pass);
}

// ---- the timer asked for, per side

// The client's ClientHello at 0, 100, 300 ms (a 100 ms timer), unanswered;
// then the server's flight 2 at 5000 ms, resent at 6000 and 8000 ms (a 1 s
// timer, as a stock tool whose timer is fixed), lost.
LogBuilder client_100ms_server_1s() {
  auto b = client_hello_resent_at({100, 300});
  const Bytes server_hello = record(kHandshake, 0, 0, handshake_message(2, 0, filler(80, 2)));
  b.datagram("s2c", 5000, server_hello, 2);
  for (double t : {6000.0, 8000.0}) lost(b.datagram("s2c", t, server_hello, 2, true));
  b.scenario.peers.timer_initial_ms = 100;
  return b;
}

TEST(RetransmissionSchedule, JudgesEachDirectionWithTheTimerItsSenderWasAsked) {
  auto b = client_100ms_server_1s();
  auto scenario_only = run(b);  // both sides 100 ms
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

  Inputs wrong_side = b.inputs();
  wrong_side.client_timer_initial_ms = 1000;  // c2s is the client's: its 100 ms schedule now fails
  auto w = make_retransmission_schedule()->run(wrong_side);
  EXPECT_EQ(w.verdict, Verdict::fail);
  EXPECT_NE(w.detail.find("c2s flight 1"), std::string::npos) << w.detail;
}

TEST(RetransmissionSchedule, APeerReportingAnotherTimerIsJudgedAgainstTheAskedOneAndNamed) {
  // Asked for 100 ms, the peer says it runs 1000 and retransmits at 1 s.
  auto b = client_hello_resent_at({1000, 3000});
  Inputs in = b.inputs();
  in.client_timer_initial_ms = 100;
  in.client_timer_reported_ms = 1000;
  auto r = make_retransmission_schedule()->run(in);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_EQ(r.expected["initial_ms_by_dir"]["c2s"], 100.0);
  EXPECT_EQ(r.measured["timer_reported_by_dir"]["c2s"], 1000);
  EXPECT_NE(r.detail.find("client was asked for 100 ms but reported 1000 ms"), std::string::npos) << r.detail;
}

// ---- what is not a timer retransmission

TEST(RetransmissionSchedule, HelloVerifyRequestResendsAreNotJudged) {
  // openssl -> ref hello-verify-request-lost: the stateless server's second
  // HelloVerifyRequest leaves 39 ms after the ClientHello that caused it (a
  // stateless server has no timer, RFC 6347 4.2.1 / 4.2.4).
  LogBuilder b;
  b.scenario.peers.timer_initial_ms = 100;
  const Bytes hvr = record(kHandshake, 0, 0, handshake_message(3, 0, hello_verify_request_body(0xfeff, filler(20))));
  b.datagram("c2s", 0, client_hello(0), 1);
  lost(b.datagram("s2c", 0.4, hvr, 2));
  b.datagram("c2s", 100.5, client_hello(1), 1, true);
  b.datagram("s2c", 139.6, hvr, 2, true);
  b.datagram("c2s", 140.2, client_hello(2), 3);
  auto r = run(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["judged_by_dir"]["s2c"], 0);
  EXPECT_EQ(r.measured["judged_by_dir"]["c2s"], 1);
  EXPECT_EQ(r.measured["flights"][1]["intervals"][0]["kind"], "stateless");
  EXPECT_EQ(r.measured["flights"][1]["intervals"][0]["judged"], false);
}

// The server's flight 4 lost at 1 ms; the client (100 ms timer) resends flight
// 3 at 100 ms, delivered at 100.1; the server answers `answer_after_ms` after
// that arrival and, as mbedTLS does (mbedtls_ssl_resend keeps the timer value),
// its timer next fires 100 ms after the answer, lost again.
LogBuilder server_answers_the_clients_resend(double answer_after_ms) {
  LogBuilder b;
  b.scenario.peers.timer_initial_ms = 100;
  const Bytes sh = record(kHandshake, 0, 1, handshake_message(2, 1, filler(400)));
  b.datagram("c2s", 0, client_hello(1), 3);
  lost(b.datagram("s2c", 1, sh, 4));
  b.datagram("c2s", 100, client_hello(2), 3, true);
  const double answer = 100.1 + answer_after_ms;
  lost(b.datagram("s2c", answer, sh, 4, true));
  lost(b.datagram("s2c", answer + 100, sh, 4, true));
  lost(b.datagram("c2s", 300, client_hello(3), 3, true));
  return b;
}

TEST(RetransmissionSchedule, AnAnswerIsTriedBeforeTheSchedule) {
  // 0.15 ms after the peer's retransmission: an answer, though it fits the
  // 100 ms schedule. Counting it as a timer made the next real one "early".
  auto r = run(server_answers_the_clients_resend(0.15));
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  const auto& s2c = r.measured["flights"][1];
  EXPECT_EQ(s2c["dir"], "s2c");
  EXPECT_EQ(s2c["intervals"][0]["kind"], "response");
  // What follows an answer is not judged: stacks differ on whether an answer
  // doubles the timer (the ref and GnuTLS do, mbedTLS does not).
  EXPECT_EQ(s2c["intervals"][1]["kind"], "timer");
  EXPECT_EQ(s2c["intervals"][1]["judged"], false);
  EXPECT_EQ(r.measured["judged_by_dir"]["s2c"], 0);
  EXPECT_EQ(r.measured["judged_by_dir"]["c2s"], 2);
}

TEST(RetransmissionSchedule, AResendWellAfterAnArrivalIsATimerOne) {
  // 8 ms after the arrival: beyond the 5 ms response window (answers measured
  // 0.15-0.3 ms), so it is the server's own timer, judged: 107 ms is on its
  // 100 ms schedule, and the next, 100 ms later, is not (expected 200).
  auto r = run(server_answers_the_clients_resend(7.9));
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_EQ(r.measured["flights"][1]["intervals"][0]["kind"], "timer");
  EXPECT_EQ(r.measured["judged_by_dir"]["s2c"], 2);
  EXPECT_NE(r.detail.find("s2c flight 4 timer retransmission 2"), std::string::npos) << r.detail;
}

TEST(RetransmissionSchedule, TheResponseWindowIsAParameter) {
  auto b = server_answers_the_clients_resend(7.9);
  b.scenario.expect.check_params_json["retransmission_schedule"] = R"({"response_window_ms": 10})";
  auto r = run(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.expected["response_window_ms"], 10.0);
}

TEST(RetransmissionSchedule, TwoResendsTheWireSawAtOneInstantAnswerNeitherOther) {
  // server-flight-lost-once-1s-timers on a loaded host: the relay woke late
  // and read both sides' 1 s timer resends in one batch, at one t_us, each
  // "delivered" at that t_us. An answer leaves after what it answers arrived.
  LogBuilder b;
  const Bytes sh = record(kHandshake, 0, 1, handshake_message(2, 1, filler(400)));
  b.datagram("c2s", 6.5, client_hello(1), 3);
  lost(b.datagram("s2c", 6.9, sh, 4));
  b.datagram("c2s", 1009.161, client_hello(2), 3, true).deliveries_us = {1009161};
  b.datagram("s2c", 1009.161, sh, 4, true).deliveries_us = {1009161};
  auto r = run(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["judged_by_dir"]["c2s"], 1);
  EXPECT_EQ(r.measured["judged_by_dir"]["s2c"], 1);
}

TEST(RetransmissionSchedule, ATimerEventBeforeTheResendMakesItATimerOneEvenRightAfterAnArrival) {
  // Both sides on the same 100 ms timer: the server's timer (due at 101 ms)
  // fired 0.9 ms after the client's copy arrived. Its shim's `timer` event
  // says so, and the next one shows the library itself did not double.
  auto b = server_answers_the_clients_resend(0.9);  // resends at 101.0 and 201.0
  b.timer_event("server", 100.95, 100.9);
  b.timer_event("server", 200.95, 200.9);
  auto r = run(b);
  EXPECT_EQ(r.measured["flights"][1]["intervals"][0]["kind"], "timer");
  EXPECT_EQ(r.measured["judged_by_dir"]["s2c"], 2);
  EXPECT_EQ(r.measured["evidence_by_dir"]["s2c"], "timer events");
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;  // 100 ms after the first resend, expected 200
  EXPECT_NE(r.detail.find("the library set its deadline 99.9 ms after"), std::string::npos) << r.detail;
}

TEST(RetransmissionSchedule, ResponsesToThePeersRetransmissionAreReportedNotJudged) {
  // The server's last flight (6) is lost; the client's timer resends flight 5,
  // and the server answers each copy at once with flight 6 again.
  LogBuilder b;
  auto f5 = [](std::uint64_t seq) { return record(kHandshake, 0, seq, handshake_message(16, 2, filler(66))); };
  auto f6 = [](std::uint64_t seq) { return record(kChangeCipherSpec, 0, seq, Bytes{1}); };
  b.datagram("c2s", 0, f5(2), 5);
  b.datagram("s2c", 400, f6(5), 6).deliveries_us.clear();
  b.datagram("c2s", 1000, f5(3), 5, true);
  b.datagram("s2c", 1000.3, f6(6), 6, true).deliveries_us.clear();
  b.datagram("c2s", 3000, f5(4), 5, true);
  b.datagram("s2c", 3000.3, f6(7), 6, true);
  auto r = run(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["judged_retransmissions"], 2);
  EXPECT_EQ(r.measured["responses"], 2);
  EXPECT_EQ(r.measured["flights"][1]["intervals"][0]["kind"], "response");
}

// Found under load (ci/stress-matrix, gnutls -> openssl,
// final-flight-retransmit-answered): OpenSSL's answer with its last flight left
// 55.7 ms after the client's resend arrived, outside the response window, and
// with no timer event (the last flight has none) it was judged as a timer
// retransmission "expected 100 ms": a false fail on host load.
TEST(RetransmissionSchedule, TheLastFlightIsNeverJudgedAsATimerOneHoweverLateItsAnswer) {
  LogBuilder b;
  auto with_finished = [](Bytes d) {  // and the flight's epoch-1 Finished
    Bytes fin = record(kHandshake, 1, 0, filler(40));
    d.insert(d.end(), fin.begin(), fin.end());
    return d;
  };
  auto f5 = [&](std::uint64_t seq) { return with_finished(record(kHandshake, 0, seq, handshake_message(16, 2, filler(66)))); };
  auto f6 = [&](std::uint64_t seq) { return with_finished(record(kChangeCipherSpec, 0, seq, Bytes{1})); };
  b.datagram("c2s", 0, f5(2), 5);
  lost(b.datagram("s2c", 1, f6(5), 6));
  b.datagram("c2s", 1000, f5(3), 5, true);  // the log builder's timer: 1 s
  b.datagram("s2c", 1055.7, f6(6), 6, true);
  auto r = run(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["judged_by_dir"]["s2c"], 0);
  EXPECT_EQ(r.measured["judged_by_dir"]["c2s"], 1);
  EXPECT_EQ(r.measured["flights"][1]["intervals"][0]["judged"], false);
  EXPECT_NE(r.measured["flights"][1]["intervals"][0]["not_judged_because"].get<std::string>().find("last flight"),
            std::string::npos);
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
  auto r = run(b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["flights"][0]["transmissions"], 3);
}

// ---- min_judged

TEST(RetransmissionSchedule, TooFewJudgedFailsAndSaysSo) {
  LogBuilder nothing;
  clean_handshake(nothing, true);
  nothing.scenario.expect.check_params_json["retransmission_schedule"] = R"({"min_judged": 1})";
  auto r = run(nothing);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("c2s: 0 timer retransmission(s) judged, the scenario requires 1"), std::string::npos)
      << r.detail;

  // Per direction: the client's timer was judged, the server's never.
  auto b = client_hello_resent_at({1000, 3000});
  b.scenario.expect.check_params_json["retransmission_schedule"] = R"({"min_judged": {"c2s": 1, "s2c": 2}})";
  auto d = run(b);
  EXPECT_EQ(d.verdict, Verdict::fail);
  EXPECT_NE(d.detail.find("s2c: 0 timer retransmission(s) judged, the scenario requires 2"), std::string::npos)
      << d.detail;
  EXPECT_EQ(d.expected["min_judged"]["s2c"], 2);
  b.scenario.expect.check_params_json["retransmission_schedule"] = R"({"min_judged": {"c2s": 2}})";
  EXPECT_EQ(run(b).verdict, Verdict::pass);
}

TEST(RetransmissionSchedule, RejectsABadMinJudged) {
  auto b = client_hello_resent_at({1000});
  b.scenario.expect.check_params_json["retransmission_schedule"] = R"({"min_judged": {"up": 1}})";
  EXPECT_THROW(run(b), std::runtime_error);
  b.scenario.expect.check_params_json["retransmission_schedule"] = R"({"min_judged": -1})";
  EXPECT_THROW(run(b), std::runtime_error);
}

TEST(RetransmissionSchedule, NotApplicableWhenNothingWasRetransmitted) {
  LogBuilder b;
  clean_handshake(b, true);
  auto r = run(b);
  EXPECT_EQ(r.verdict, Verdict::not_applicable);
  EXPECT_EQ(r.detail, "nothing was retransmitted");
}

// ---- host noise vs the library: the shims' `timer` events

TEST(RetransmissionSchedule, AProcessWokenLateIsInconclusiveWithTheEvidence) {
  // ref -> ref client-hello-lost-twice on a loaded host: the 100 ms timer's
  // resend left 149.7 ms after the previous send; the library had asked to be
  // woken at 100 ms, the process woke at 149.6.
  auto b = client_hello_resent_at({149.7, 349.9});
  b.scenario.peers.timer_initial_ms = 100;
  b.timer_event("client", 149.6, 100.0, 3.0);
  b.timer_event("client", 349.8, 349.7, 3.0);
  auto r = run(b);
  EXPECT_EQ(r.verdict, Verdict::inconclusive) << r.detail;
  EXPECT_NE(r.detail.find("host woke the process 49.6 ms late"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["flights"][0]["intervals"][0]["lateness_ms"], 49.6);
  EXPECT_EQ(r.measured["evidence_by_dir"]["c2s"], "timer events");
}

TEST(RetransmissionSchedule, ADeadlineOffScheduleIsTheLibrarysFault) {
  // The library itself asked to be woken after 50 ms (early-retransmit).
  auto b = client_hello_resent_at({50.3, 150.5});
  b.scenario.peers.timer_initial_ms = 100;
  b.timer_event("client", 50.2, 50.0);
  b.timer_event("client", 150.4, 150.3);
  auto r = run(b);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_NE(r.detail.find("the library set its deadline 50.0 ms after the previous transmission"), std::string::npos)
      << r.detail;
}

TEST(RetransmissionSchedule, WithoutTimerEventsOnlyTheWireIsJudgedAndSaysSo) {
  auto b = client_hello_resent_at({149.7});
  b.scenario.peers.timer_initial_ms = 100;
  auto r = run(b);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_EQ(r.measured["evidence_by_dir"]["c2s"], "wire only");
  EXPECT_NE(r.detail.find("wire only"), std::string::npos) << r.detail;
}

TEST(RetransmissionSchedule, RejectsParametersThatAreNotNumbers) {
  auto b = client_hello_resent_at({1000});
  b.scenario.expect.check_params_json["retransmission_schedule"] = R"({"group_window_ms": "wide"})";
  EXPECT_THROW(run(b), std::runtime_error);
  auto results = run_checks(b.inputs());
  auto it = std::find_if(results.begin(), results.end(),
                         [](const CheckResult& r) { return r.name == "retransmission_schedule"; });
  ASSERT_NE(it, results.end());
  EXPECT_EQ(it->verdict, Verdict::fail);
  EXPECT_NE(it->detail.find("check could not run"), std::string::npos);
}

}  // namespace
}  // namespace wireproof::checks
