// PeerCore's decisions with a scripted session and a hand-turned clock: the
// handshake's timing and endings, the echo workload's endings, which error is
// reported, what a due timer does, and when the core asks to be woken. The
// real driver (peer_driver.cpp) and harness/virtual both run this core, so
// these are the rules of both.
#include <gtest/gtest.h>

#include <deque>

#include "peers/common/peer_core.hpp"

using namespace wireproof::peers;
using nlohmann::json;
using Micros = PeerCore::Micros;

namespace {

// A session whose handshake completes when `handshake_done` is set, and which
// echoes written records back to the reader when `loopback` is on.
struct ScriptedSession final : DtlsSession {
  bool handshake_done = false;
  Progress handshake_result = Progress::want_read;  // until done
  bool loopback = true;
  bool resends_on_read = false;
  std::deque<std::vector<std::uint8_t>> inbound;
  std::vector<std::string> write_errors;  // each failing write takes the next; empty: writes succeed
  std::string error = "no error";
  int timer_expired_calls = 0, close_notifies = 0, writes = 0;
  std::optional<Progress> read_end;  // closed / failed once inbound is empty
  std::size_t read_piece = 0;        // a byte stream (TLS): reads return at most this many bytes of inbound; 0: whole records
  json details = json::object();
  int key_updates = 0;

  Progress handshake() override { return handshake_done ? Progress::done : handshake_result; }
  std::optional<LibraryTimer> timer() override { return std::nullopt; }
  void on_timer_expired() override { ++timer_expired_calls; }
  bool resends_from_read_path() const override { return resends_on_read; }
  Progress read_record(std::vector<std::uint8_t>& out) override {
    if (inbound.empty()) return read_end.value_or(Progress::want_read);
    if (read_piece == 0 || inbound.front().size() <= read_piece) {
      out = std::move(inbound.front());
      inbound.pop_front();
      return Progress::done;
    }
    auto& front = inbound.front();
    out.assign(front.begin(), front.begin() + static_cast<std::ptrdiff_t>(read_piece));
    front.erase(front.begin(), front.begin() + static_cast<std::ptrdiff_t>(read_piece));
    return Progress::done;
  }
  Progress write_record(std::span<const std::uint8_t> r) override {
    ++writes;
    if (!write_errors.empty()) {
      error = write_errors.front();
      write_errors.erase(write_errors.begin());
      return Progress::failed;
    }
    if (loopback) inbound.emplace_back(r.begin(), r.end());
    return Progress::done;
  }
  void send_close_notify() override { ++close_notifies; }
  std::string version() const override { return "DTLSv1.2"; }
  std::string cipher() const override { return "ECDHE-ECDSA-AES128-GCM-SHA256"; }
  std::string cipher_iana() const override { return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"; }
  std::string last_error() const override { return error; }
  json handshake_details() const override { return details; }
  bool send_key_update() override {
    ++key_updates;
    return true;
  }
};

struct Harness {
  ScriptedSession session;
  std::vector<json> events;
  Micros now{0};
  EmitEvent emit = [this](json e) { events.push_back(std::move(e)); };
  TimerEvents timers{emit, [](std::chrono::steady_clock::time_point t) {
                       return std::chrono::duration<double, std::milli>(t.time_since_epoch()).count();
                     }};
  std::optional<PeerCore> core;

  explicit Harness(Role role, std::uint64_t echo_bytes = 3000, bool stream = false, bool key_update = false) {
    PeerCoreConfig c;
    c.stream = stream;
    c.key_update = key_update;
    c.role = role;
    c.plan = {echo_bytes, 1000};
    c.handshake_timeout_ms = 2000;
    c.idle_timeout_ms = 500;
    c.timer_initial_ms = 100;  // echo resend after max(4 x 100, 200) = 400 ms
    core.emplace(c, session, timers, emit, [this] { return now; });
  }
  void at_ms(std::int64_t ms) {
    now = Micros(ms * 1000);
    core->step();
  }
  const json* find(const std::string& name) const {
    for (const auto& e : events)
      if (e["event"] == name) return &e;
    return nullptr;
  }
};

TEST(PeerCore, ClientHandshakeTimesOutAtItsDeadlineAndSaysSo) {
  Harness h(Role::client);
  h.at_ms(0);
  EXPECT_EQ(h.core->wake_at(), Micros(2'000'000));
  h.at_ms(1999);
  EXPECT_FALSE(h.core->exited());
  h.at_ms(2000);
  ASSERT_TRUE(h.core->exited());
  EXPECT_EQ(h.core->exit_code(), kExitHandshake);
  ASSERT_NE(h.find("error"), nullptr);
  EXPECT_EQ((*h.find("error"))["message"], handshake_timed_out(2000));
}

TEST(PeerCore, ServerHandshakeIsTimedFromItsFirstWakeNotFromListening) {
  Harness h(Role::server);
  h.at_ms(0);    // listening
  h.at_ms(300);  // the first ClientHello woke it
  h.session.handshake_done = true;
  h.at_ms(350);
  ASSERT_NE(h.find("handshake_done"), nullptr);
  EXPECT_DOUBLE_EQ((*h.find("handshake_done"))["time_ms"].get<double>(), 50.0);
}

TEST(PeerCore, ClientHandshakeIsTimedFromItsFirstStep) {
  Harness h(Role::client);
  h.at_ms(10);
  h.session.handshake_done = true;
  h.at_ms(90);
  EXPECT_DOUBLE_EQ((*h.find("handshake_done"))["time_ms"].get<double>(), 80.0);
}

TEST(PeerCore, HandshakeFailureAndPeerCloseAndStopEachEndWithExit1) {
  {
    Harness h(Role::client);
    h.session.handshake_result = Progress::failed;
    h.session.error = "bad certificate";
    h.at_ms(0);
    EXPECT_EQ(h.core->exit_code(), kExitHandshake);
    EXPECT_EQ((*h.find("error"))["message"], handshake_failed("bad certificate"));
  }
  {
    Harness h(Role::client);
    h.session.handshake_result = Progress::closed;
    h.at_ms(0);
    EXPECT_EQ((*h.find("error"))["message"], handshake_closed_by_peer());
  }
  {
    Harness h(Role::server);
    h.at_ms(0);
    h.core->request_stop();
    EXPECT_FALSE(h.core->exited()) << "a stop takes effect at the next step";
    h.at_ms(5);
    EXPECT_EQ(h.core->exit_code(), kExitHandshake);
    EXPECT_EQ((*h.find("error"))["message"], handshake_stopped());
  }
}

TEST(PeerCore, ClientEchoCompletesInOneStepWhenEchoesKeepComing) {
  Harness h(Role::client);
  h.session.handshake_done = true;
  h.at_ms(0);
  ASSERT_TRUE(h.core->exited());
  EXPECT_EQ(h.core->exit_code(), kExitOk);
  EXPECT_EQ(h.session.writes, 3);
  EXPECT_EQ(h.session.close_notifies, 1);
  EXPECT_EQ((*h.find("closed"))["reason"], "done");
}

TEST(PeerCore, OverAByteStreamRecordsAreCutFromPiecesAndNothingIsResent) {
  Harness h(Role::client, 3000, /*stream=*/true);
  h.session.read_piece = 7;  // every echo arrives in 7-byte reads, as TLS may deliver it
  h.session.loopback = false;
  h.session.handshake_done = true;
  h.at_ms(0);
  EXPECT_EQ(h.session.writes, 3);
  EXPECT_EQ(h.core->wake_at(), Micros(500'000)) << "only the idle deadline: a stream is never resent";
  FramedEchoClient sent(Framing::binary, {{3000, 1000}, std::nullopt});
  for (auto& r : sent.records_to_send(0)) h.session.inbound.push_back(r);
  h.at_ms(100);
  ASSERT_TRUE(h.core->exited());
  EXPECT_EQ(h.core->exit_code(), kExitOk) << h.events.back().dump();
  const json* app = h.find("app_data");
  ASSERT_NE(app, nullptr);
  EXPECT_EQ((*app)["echoed_chunks"], 3);
  EXPECT_EQ((*app)["malformed"], 0);
  EXPECT_EQ((*app)["resent"], 0);
  EXPECT_EQ((*app)["sent_sha256"], (*app)["echoed_sha256"]);
}

TEST(PeerCore, TheSessionsHandshakeDetailsJoinHandshakeDone) {
  Harness h(Role::client, 3000, true);
  h.session.details = {{"group", "x25519"}, {"resumed", true}, {"connection", 2}};
  h.session.handshake_done = true;
  h.at_ms(0);
  const json* done = h.find("handshake_done");
  ASSERT_NE(done, nullptr);
  EXPECT_EQ((*done)["group"], "x25519");
  EXPECT_EQ((*done)["resumed"], true);
  EXPECT_EQ((*done)["connection"], 2);
  EXPECT_EQ((*done)["version"], "DTLSv1.2");
}

TEST(PeerCore, KeyUpdateIsSentOnceWhenHalfTheChunksHaveGone) {
  Harness h(Role::client, 20000, true, /*key_update=*/true);
  h.session.loopback = false;
  h.session.handshake_done = true;
  h.at_ms(0);  // 8 of 20 chunks written: not yet half
  EXPECT_EQ(h.session.key_updates, 0);
  FramedEchoClient sent(Framing::binary, {{20000, 1000}, std::nullopt});
  for (auto& r : sent.records_to_send(0)) h.session.inbound.push_back(r);
  h.at_ms(10);  // 8 echoes open the window: chunk 10 written
  EXPECT_EQ(h.session.key_updates, 1);
  ASSERT_NE(h.find("key_update"), nullptr);
  EXPECT_EQ((*h.find("key_update"))["direction"], "sent");
  h.session.loopback = true;
  h.at_ms(20);
  EXPECT_EQ(h.session.key_updates, 1) << "once per connection";
}

TEST(PeerCore, WithoutTheFlagNoKeyUpdateIsSent) {
  Harness h(Role::client, 20000, true);
  h.session.handshake_done = true;
  h.at_ms(0);
  EXPECT_EQ(h.core->exit_code(), kExitOk);
  EXPECT_EQ(h.session.key_updates, 0);
}

TEST(PeerCore, TheFirstWriteErrorIsReportedNotALaterOne) {
  Harness h(Role::client);
  h.session.loopback = false;
  h.session.write_errors = {"first cause", "consequence", "consequence"};
  h.session.handshake_done = true;
  h.at_ms(0);
  EXPECT_EQ(h.core->exit_code(), kExitWorkload);
  ASSERT_NE(h.find("error"), nullptr);
  EXPECT_EQ((*h.find("error"))["message"], "write failed: first cause");
}

TEST(PeerCore, ServerEchoesAndAnswersCloseNotify) {
  Harness h(Role::server, 2000);
  h.session.loopback = false;
  h.session.handshake_done = true;
  h.at_ms(0);
  EXPECT_EQ(h.core->wake_at(), Micros(500'000)) << "idle deadline while nothing has flowed";
  // Two chunks of the expected pattern, as a client would send them.
  FramedEchoClient sender(Framing::binary, {{2000, 1000}, 400});
  for (auto& r : sender.records_to_send(0)) h.session.inbound.push_back(r);
  h.at_ms(100);
  EXPECT_EQ(h.session.writes, 2);
  EXPECT_EQ(h.core->wake_at(), std::nullopt) << "once data flowed, silence ends nothing";
  h.session.read_end = Progress::closed;
  h.at_ms(200);
  EXPECT_EQ(h.core->exit_code(), kExitOk);
  EXPECT_EQ(h.session.close_notifies, 1);
  EXPECT_EQ((*h.find("closed"))["reason"], "close_notify");
}

TEST(PeerCore, SilenceBeforeAnyDataEndsTheWorkloadAtTheIdleDeadline) {
  Harness h(Role::server);
  h.session.handshake_done = true;
  h.at_ms(0);
  h.at_ms(499);
  EXPECT_FALSE(h.core->exited());
  h.at_ms(500);
  EXPECT_EQ(h.core->exit_code(), kExitWorkload);
  EXPECT_EQ((*h.find("closed"))["reason"], "idle");
}

TEST(PeerCore, ClientWakesForItsEchoResend) {
  Harness h(Role::client);
  h.session.loopback = false;
  h.session.handshake_done = true;
  h.at_ms(0);
  EXPECT_EQ(h.session.writes, 3);
  EXPECT_EQ(h.core->wake_at(), Micros(400'000)) << "the resend comes before the 500 ms idle deadline";
  h.at_ms(400);
  EXPECT_EQ(h.session.writes, 6) << "unanswered chunks are sent again";
}

TEST(PeerCore, ADueTimerIsPrintedOnceAndHandedToTheLibraryOnlyWithoutInput) {
  Harness h(Role::client);
  h.at_ms(0);
  LibraryTimer t{std::chrono::steady_clock::time_point(Micros(100'000)), true, std::nullopt};
  h.core->on_timer_due(t, true);  // the ref: a waiting datagram goes first, the timer waits
  EXPECT_EQ(h.find("timer"), nullptr);
  EXPECT_EQ(h.session.timer_expired_calls, 0);
  h.session.resends_on_read = true;  // OpenSSL / GnuTLS: the read path resends; print the event first
  h.core->on_timer_due(t, true);
  ASSERT_NE(h.find("timer"), nullptr);
  EXPECT_DOUBLE_EQ((*h.find("timer"))["deadline_ms"].get<double>(), 100.0);
  EXPECT_EQ(h.session.timer_expired_calls, 0);
  h.core->on_timer_due(t, false);
  EXPECT_EQ(h.session.timer_expired_calls, 1);
  int timer_events = 0;
  for (const auto& e : h.events) timer_events += e["event"] == "timer";
  EXPECT_EQ(timer_events, 1) << "one event per deadline";
}

}  // namespace
