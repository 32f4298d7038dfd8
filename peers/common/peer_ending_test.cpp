// The endings the real peer driver and harness/virtual's VirtualPeer share:
// the events in order, the close_notify decision and the exit code.
#include <cerrno>

#include <gtest/gtest.h>

#include "peers/common/peer_ending.hpp"

using namespace wireproof::peers;
using nlohmann::json;

namespace {
struct Recorder {
  std::vector<json> events;
  int closes = 0;
  EmitEvent emit() {
    return [this](json e) { events.push_back(std::move(e)); };
  }
  std::function<void()> close() {
    return [this] {
      ++closes;
      events.push_back({{"event", "close_notify_sent"}});  // marks where in the order it happened
    };
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e["event"].get<std::string>());
    return out;
  }
};
const json kReport = {{"event", "app_data"}};
using Names = std::vector<std::string>;
}  // namespace

TEST(PeerEnding, ErrorThenClosedError) {
  Recorder r;
  EXPECT_EQ(end_with_error(kExitHandshake, handshake_timed_out(27000), r.emit()), kExitHandshake);
  EXPECT_EQ(r.names(), (Names{"error", "closed"}));
  EXPECT_EQ(r.events[0]["message"], "handshake did not complete within --handshake-timeout-ms 27000 ms");
  EXPECT_EQ(r.events[1]["reason"], "error");
}

TEST(PeerEnding, TheLibrarysReasonJoinsTheErrorWhenKnown) {
  Recorder r;
  end_with_error(kExitHandshake, handshake_failed("x"), r.emit(), "certificate verify failed");
  EXPECT_EQ(r.events[0]["reason"], "certificate verify failed");
  Recorder none;
  end_with_error(kExitHandshake, handshake_failed("x"), none.emit());
  EXPECT_FALSE(none.events[0].contains("reason"));
}

// The TCP contract's reset report, for TLS over TCP too: graceful_close
// {abort_expected} looks for errno ECONNRESET or closed rst. Fails without
// the socket_errno path (abort-rst-truncation failed every TLS cell).
TEST(PeerEnding, ASocketResetIsNamedAndClosesWithRst) {
  Recorder r;
  EXPECT_EQ(end_client_workload(kReport, false, false, {"", "read failed: reset", "", ECONNRESET}, r.emit(), r.close()),
            kExitWorkload);
  ASSERT_EQ(r.names(), (Names{"app_data", "error", "closed"}));
  EXPECT_EQ(r.events[1]["errno"], "ECONNRESET");
  EXPECT_EQ(r.events[2]["reason"], "rst");
  Recorder other;
  end_server_workload(kReport, false, {"", "write failed", "", ETIMEDOUT}, other.emit());
  EXPECT_EQ(other.events[1]["errno"], "ETIMEDOUT");
  EXPECT_EQ(other.events[2]["reason"], "error");  // not a reset
  Recorder none;
  end_with_error(kExitWorkload, "x", none.emit());
  EXPECT_FALSE(none.events[0].contains("errno"));
}

TEST(PeerEnding, HandshakeDoneRoundsToATenthOfAMillisecond) {
  auto e = handshake_done_event("DTLSv1.2", "ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_X", 12.345);
  EXPECT_EQ(e["event"], "handshake_done");
  EXPECT_DOUBLE_EQ(e["time_ms"].get<double>(), 12.3);
  EXPECT_EQ(e["cipher_iana"], "TLS_X");
}

TEST(PeerEnding, ClientDoneSendsCloseNotifyBeforeClosed) {
  Recorder r;
  EXPECT_EQ(end_client_workload(kReport, true, true, {"done", ""}, r.emit(), r.close()), kExitOk);
  EXPECT_EQ(r.names(), (Names{"app_data", "close_notify_sent", "closed"}));
  EXPECT_EQ(r.events[2]["reason"], "done");
}

TEST(PeerEnding, ClientDoesNotAnswerTheServersCloseNotify) {
  Recorder r;
  EXPECT_EQ(end_client_workload(kReport, false, false, {"close_notify", ""}, r.emit(), r.close()), kExitWorkload);
  EXPECT_EQ(r.closes, 0);
  EXPECT_EQ(r.names(), (Names{"app_data", "closed", "error"}));
  EXPECT_EQ(r.events[2]["message"], "echo incomplete: connection ended by close_notify");
}

TEST(PeerEnding, ClientCompleteButDifferentEcho) {
  Recorder r;
  EXPECT_EQ(end_client_workload(kReport, true, false, {"done", ""}, r.emit(), r.close()), kExitWorkload);
  EXPECT_EQ(r.events.back()["message"], "echoed data differs from what was sent");
}

TEST(PeerEnding, ClientErrorEndsWithoutCloseNotify) {
  Recorder r;
  EXPECT_EQ(end_client_workload(kReport, false, false, {"", "write failed: x"}, r.emit(), r.close()), kExitWorkload);
  EXPECT_EQ(r.closes, 0);
  EXPECT_EQ(r.names(), (Names{"app_data", "error", "closed"}));
  EXPECT_EQ(r.events[1]["message"], "write failed: x");
  EXPECT_EQ(r.events[2]["reason"], "error");
}

TEST(PeerEnding, Server) {
  Recorder ok;
  EXPECT_EQ(end_server_workload(kReport, true, {"close_notify", ""}, ok.emit()), kExitOk);
  EXPECT_EQ(ok.names(), (Names{"app_data", "closed"}));
  Recorder partial;
  EXPECT_EQ(end_server_workload(kReport, false, {"idle", ""}, partial.emit()), kExitWorkload);
  EXPECT_EQ(partial.events.back()["message"],
            "received data incomplete or not the expected pattern (ended by idle)");
  Recorder failed;
  EXPECT_EQ(end_server_workload(kReport, false, {"", "read failed: y"}, failed.emit()), kExitWorkload);
  EXPECT_EQ(failed.names(), (Names{"app_data", "error", "closed"}));
}
