#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/tcp_log_builder.hpp"
#include "harness/events/event_log.hpp"
#include "impl/crypto/types.hpp"

namespace wireproof::checks {
namespace {

using testing::LogBuilder;
using testing::TcpLogBuilder;

// An echo of 3000 bytes in three segments each way, the second c2s one
// dropped and resent by `resend_ms` (0: never).
struct Echo {
  LogBuilder b;
  TcpLogBuilder t{b};
  explicit Echo(double resend_ms = 300) {
    t.handshake(0);
    t.data("c2s", 1, 1000);
    t.data("c2s", 1.1, 1000).fate = "dropped";
    t.data("c2s", 1.2, 1000);
    if (resend_ms > 0) t.resend("c2s", resend_ms, 1000, 1000);
    t.ack("s2c", resend_ms + 1);
    for (int k = 0; k < 3; ++k) t.data("s2c", resend_ms + 2 + k, 1000);
    t.ack("c2s", resend_ms + 6);
  }
  void reports(const std::string& sent, const std::string& received, const std::string& echoed, int dups = 0) {
    b.client_event({{"event", "app_data"}, {"bytes", 3000}, {"sent_sha256", sent}, {"echoed_sha256", echoed},
                    {"duplicates", dups}},
                   400);
    b.server_event({{"event", "app_data"}, {"bytes", 3000}, {"received_sha256", received}, {"duplicates", 0}}, 400);
  }
  void honest_reports() { reports(t.sha256("c2s"), t.sha256("c2s"), t.sha256("s2c")); }
  CheckResult judge() const { return make_tcp_data_intact()->run(b.inputs()); }
};

TEST(TcpDataIntact, AReassembledEchoMatchesTheDigests) {
  Echo e;
  e.honest_reports();
  const auto r = e.judge();
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["c2s"]["bytes"], 3000);
  EXPECT_EQ(r.measured["c2s"]["digests_compared"], 2);
  EXPECT_EQ(r.measured["s2c"]["digests_compared"], 1);
}

// Urgent data read out of band: the receiver's in-band stream is the wire's
// without the byte before the urgent pointer of the URG segment (RFC 6093).
TEST(TcpDataIntact, TheUrgentByteLeavesTheReceiversInBandStream) {
  Echo e;
  auto& urg = std::get<events::Datagram>(e.b.log.events.at(3));  // the first c2s data segment
  ASSERT_TRUE(urg.tcp && urg.tcp->payload_length == 1000);
  urg.tcp->flags |= events::tcp_flags::urg;
  urg.tcp->urgent_pointer = 500;  // the urgent byte is the segment's 500th: stream offset 499
  e.b.scenario.tcp.workload = "urgent";
  auto inband = e.t.written("c2s");
  inband.erase(inband.begin() + 499);
  const std::string inband_sha = events::to_hex(crypto::digest(crypto::Hash::sha256, inband));
  e.reports(e.t.sha256("c2s"), inband_sha, e.t.sha256("s2c"));
  const auto r = e.judge();
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["c2s"]["urgent_byte_offset"], 499);
  // The same urgent segment, the receiver reporting the whole stream: the byte
  // came in band (lwIP has no urgent API). Intact; urgent_data judges where it went.
  Echo inline_urgent;
  auto& u2 = std::get<events::Datagram>(inline_urgent.b.log.events.at(3));
  u2.tcp->flags |= events::tcp_flags::urg;
  u2.tcp->urgent_pointer = 500;
  inline_urgent.b.scenario.tcp.workload = "urgent";
  inline_urgent.honest_reports();
  EXPECT_EQ(inline_urgent.judge().verdict, Verdict::pass) << inline_urgent.judge().detail;
}

TEST(TcpDataIntact, AReceiverDigestThatDiffersFails) {
  Echo e;
  e.reports(e.t.sha256("c2s"), std::string(64, '0'), e.t.sha256("s2c"));
  const auto r = e.judge();
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("c2s: the wire delivered 3000 bytes to the server"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("but server received_sha256 is 000000000000"), std::string::npos) << r.detail;
  // The receiver is judged (before, the sender's direction was blamed).
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));

  Echo echo;  // s2c: the client read other bytes than the server's echo the wire delivered
  echo.reports(echo.t.sha256("c2s"), echo.t.sha256("c2s"), std::string(64, '1'));
  const auto r2 = echo.judge();
  EXPECT_EQ(r2.verdict, Verdict::fail);
  EXPECT_NE(r2.detail.find("s2c: the wire delivered 3000 bytes to the client"), std::string::npos) << r2.detail;
  EXPECT_EQ(r2.measured["failed_dirs"], nlohmann::json::array({"c2s"}));
}

// The wire never delivered bytes the client did not resend: the client is
// judged, the server, which read what the wire delivered, is not.
TEST(TcpDataIntact, DataTheSenderNeverGotAcrossIsTheSendersFailure) {
  Echo e(0);
  const testing::Bytes first(e.t.written("c2s").begin(), e.t.written("c2s").begin() + 1000);
  e.reports(e.t.sha256("c2s"), events::to_hex(crypto::digest(crypto::Hash::sha256, first)), e.t.sha256("s2c"));
  const auto r = e.judge();
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("c2s: the client sent_sha256 is"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("but the wire delivered 1000 bytes of the client's stream"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));
}

// The peers claim the whole stream but the wire never delivered the dropped segment.
TEST(TcpDataIntact, DataTheWireNeverDeliveredFails) {
  Echo e(0);
  e.honest_reports();
  const auto r = e.judge();
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("but the wire delivered 1000 bytes of the client's stream"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["c2s"]["bytes_missing_below_highest"], 1000);
}

TEST(TcpDataIntact, AResendWithOtherBytesFails) {
  Echo e;
  std::get<events::Datagram>(e.b.log.events[6]).payload[3] ^= 1;  // the resend (handshake 3, data 3)
  e.honest_reports();
  const auto r = e.judge();
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("carries other bytes at stream offset 1003 than the first copy"), std::string::npos) << r.detail;
}

TEST(TcpDataIntact, ADuplicateDeliveryReportFails) {
  Echo e;
  e.reports(e.t.sha256("c2s"), e.t.sha256("c2s"), e.t.sha256("s2c"), 1);
  const auto r = e.judge();
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("client reported 1 duplicate deliveries"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));  // the client's stack delivered them
}

TEST(TcpDataIntact, DataWithNoReportFails) {
  Echo e;
  const auto r = e.judge();
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("c2s carried 3000 bytes but neither the client nor the server reported a digest"),
            std::string::npos)
      << r.detail;
}

TEST(TcpDataIntact, NothingToJudgeIsNotApplicable) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  EXPECT_EQ(make_tcp_data_intact()->run(b.inputs()).verdict, Verdict::not_applicable);
}

}  // namespace
}  // namespace wireproof::checks
