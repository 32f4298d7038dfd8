#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/log_builder.hpp"

namespace wireproof::checks {
namespace {

using namespace testing;

// A full handshake up to the server's flight 6, whose Finished is lost:
// flight 5 (client) at 3 ms, flight 6 (server) at 4 ms with the Finished
// datagram dropped. The tests then add the client's retransmissions of
// flight 5 and the server's answers.
struct LostFinished {
  LogBuilder b;
  std::uint64_t client_seq = 10, server_seq = 10;

  LostFinished() {
    b.datagram("c2s", 0, record(kHandshake, 0, 0, handshake_message(1, 0, client_hello_body({}))), 1);
    b.datagram("s2c", 1, record(kHandshake, 0, 0, handshake_message(2, 0, filler(70, 1))), 4);
    b.datagram("c2s", 3, flight5(), 5);
    b.datagram("s2c", 4, record(kChangeCipherSpec, 0, server_seq++, Bytes{1}), 6);
    auto& fin = b.datagram("s2c", 4.1, record(kHandshake, 1, 0, filler(40, 6)), 6);
    fin.fate = "dropped";
    fin.deliveries_us.clear();
  }
  Bytes flight5() {
    return concat({record(kHandshake, 0, client_seq++, handshake_message(16, 3, filler(66, 4))),
                   record(kChangeCipherSpec, 0, client_seq++, Bytes{1}), record(kHandshake, 1, client_seq++, filler(40, 5))});
  }
  // The client resends flight 5 at t_ms; `finished_lost` drops its Finished (a datagram of its own).
  void client_resends(double t_ms, bool finished_lost = false) {
    if (!finished_lost) {
      b.datagram("c2s", t_ms, flight5(), 5, true);
      return;
    }
    b.datagram("c2s", t_ms, record(kChangeCipherSpec, 0, client_seq++, Bytes{1}), 5, true);
    auto& d = b.datagram("c2s", t_ms + 0.1, record(kHandshake, 1, client_seq++, filler(40, 5)), 5, true);
    d.fate = "dropped";
    d.deliveries_us.clear();
  }
  void server_answers(double t_ms, bool finished_lost = false) {
    b.datagram("s2c", t_ms, record(kChangeCipherSpec, 0, server_seq++, Bytes{1}), 6, true);
    auto& fin = b.datagram("s2c", t_ms + 0.1, record(kHandshake, 1, server_seq++, filler(40, 6)), 6, true);
    if (finished_lost) {
      fin.fate = "dropped";
      fin.deliveries_us.clear();
    }
  }
  CheckResult run() { return make_last_flight_answered()->run(b.inputs()); }
};

TEST(LastFlightAnswered, PassesWhenEachRetransmissionIsAnswered) {
  LostFinished h;
  h.client_resends(104);
  h.server_answers(104.5, /*finished_lost=*/true);  // the answer is lost too: the client asks again
  h.client_resends(304);
  h.server_answers(304.4);
  auto r = h.run();
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  ASSERT_EQ(r.measured["retransmissions_to_answer"].size(), 2u);
  EXPECT_EQ(r.measured["last_flight"]["flight"], 6);
  EXPECT_EQ(r.measured["peer_flight"]["flight"], 5);
}

// GnuTLS 3.7's pattern: the first retransmission arrives less than its timer
// after its own flight and is ignored; the second is answered.
TEST(LastFlightAnswered, FailsWhenARetransmissionIsIgnored) {
  LostFinished h;
  h.client_resends(54);
  h.client_resends(204);
  h.server_answers(204.3);
  auto r = h.run();
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("1 of 2 retransmissions of flight 5 unanswered"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["retransmissions_to_answer"][0]["answered"], false);
  EXPECT_EQ(r.measured["retransmissions_to_answer"][1]["answered"], true);
}

TEST(LastFlightAnswered, FailsWhenNothingAnswers) {
  LostFinished h;
  h.client_resends(104);
  auto r = h.run();
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_FALSE(r.evidence.empty());
}

TEST(LastFlightAnswered, AnAnswerAfterTheWindowIsLate) {
  LostFinished h;
  h.client_resends(104);
  h.server_answers(250);  // 146 ms later, window 100 ms
  EXPECT_EQ(h.run().verdict, Verdict::fail);
  h.b.scenario.expect.check_params_json["last_flight_answered"] = R"({"answer_window_ms": 200})";
  EXPECT_EQ(h.run().verdict, Verdict::pass);
}

// A retransmission whose Finished was lost is not recognisably one, and one
// the client sent after the whole flight 6 had reached it crossed the answer:
// neither is judged.
TEST(LastFlightAnswered, RetransmissionsThatNeedNoAnswerAreNotJudged) {
  LostFinished h;
  h.client_resends(104, /*finished_lost=*/true);
  auto r = h.run();
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
  EXPECT_EQ(r.measured["not_judged"]["finished_lost"], 1);

  LostFinished crossing;
  crossing.client_resends(104);
  crossing.server_answers(104.3);  // reaches the client whole at 104.5 ms
  crossing.client_resends(140);    // sent after that: it crossed the answer
  auto c = crossing.run();
  EXPECT_EQ(c.verdict, Verdict::pass) << c.detail;
  EXPECT_EQ(c.measured["not_judged"]["after_last_flight_arrived_whole"], 1);
}

TEST(LastFlightAnswered, NotApplicableWithoutRetransmissions) {
  LogBuilder b;
  clean_handshake(b, true);
  auto r = make_last_flight_answered()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
  EXPECT_FALSE(make_last_flight_answered()->on_by_default());
}

}  // namespace
}  // namespace wireproof::checks
