#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/tcp_log_builder.hpp"
#include "impl/crypto/types.hpp"

namespace wireproof::checks {
namespace {

using testing::LogBuilder;
using testing::TcpLogBuilder;
namespace f = events::tcp_flags;

// 4 records of 1000 bytes: the urgent byte follows two of them, at stream offset 2016.
constexpr std::uint64_t kUrgentOffset = 2016;

// What the server's application got.
enum class Delivery { out_of_band, inline_with_mark, inline_unmarked, lost, unreported };

struct UrgentRun {
  LogBuilder b;
  TcpLogBuilder t{b};
  UrgentRun() {
    b.scenario.tcp.workload = "urgent";
    b.scenario.workload = {4000, 1000};
  }
  // The client's stream with the urgent byte at kUrgentOffset, URG set on the
  // segment carrying it with `pointer` (nullopt: no URG), then the server's reports.
  void send(std::optional<std::uint16_t> pointer, Delivery delivery, std::uint64_t reported_offset = kUrgentOffset) {
    t.handshake(0);
    t.data("c2s", 1, kUrgentOffset);
    auto& urgent = t.data("c2s", 2, 1000);
    if (pointer) urgent.tcp->flags |= f::urg, urgent.tcp->urgent_pointer = *pointer;
    t.data("c2s", 3, 1000);
    t.ack("s2c", 4);
    const int byte = t.written("c2s")[kUrgentOffset];
    auto inband = t.written("c2s");
    inband.erase(inband.begin() + kUrgentOffset);
    const std::string with = t.sha256("c2s");
    const std::string without = events::to_hex(crypto::digest(crypto::Hash::sha256, inband));  // the in-band records' digest
    b.client_event({{"event", "app_data"}, {"sent_sha256", with}, {"inband_sha256", without}, {"urgent_byte", byte},
                    {"urgent_offset", reported_offset}},
                   5);
    nlohmann::json server{{"event", "app_data"}, {"oob", nlohmann::json::array()}, {"marks", nlohmann::json::array()}};
    switch (delivery) {
      case Delivery::out_of_band:
        server["oob"].push_back({{"byte", byte}, {"read_after_inband_bytes", kUrgentOffset}});
        server["marks"].push_back(kUrgentOffset);
        server["received_sha256"] = without;
        break;
      case Delivery::inline_with_mark: server["marks"].push_back(kUrgentOffset), server["received_sha256"] = with; break;
      case Delivery::inline_unmarked: server["received_sha256"] = with; break;
      case Delivery::lost: server["marks"].push_back(kUrgentOffset), server["received_sha256"] = without; break;
      case Delivery::unreported: server = {{"event", "app_data"}, {"received_sha256", with}}; break;
    }
    b.server_event(server, 6);
  }
  CheckResult judge() const { return make_urgent_data()->run(b.inputs()); }
  // Sets a field of the last app_data report `role` made (a peer reporting wrongly).
  void report(const std::string& role, const std::string& key, const std::string& value) {
    (role == "client" ? b.client : b.server).events.back()[key] = value;
  }
};

TEST(UrgentData, PointerAtTheOctetAfterTheUrgentByteAndAnOutOfBandReadPass) {
  UrgentRun run;
  run.send(1, Delivery::out_of_band);  // segment at 2016 + pointer 1 = 2017 = LAST+1
  const auto r = run.judge();
  ASSERT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["convention"], "LAST+1 (RFC 6093 / RFC 9293)");
  EXPECT_EQ(r.measured["urg_segments"][0]["points_at"], 2017);
  EXPECT_EQ(r.measured["delivery"]["urgent_byte"], "out of band");
}

TEST(UrgentData, AnInlineByteWithAMarkPasses) {
  UrgentRun run;
  run.send(1, Delivery::inline_with_mark);
  const auto r = run.judge();
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["delivery"]["urgent_byte"], "in band");
}

TEST(UrgentData, RfcLastPointerConventionFails) {
  UrgentRun run;
  run.send(0, Delivery::out_of_band);  // points at the urgent byte itself
  const auto r = run.judge();
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_EQ(r.measured["convention"], "LAST (RFC 1122 4.2.2.4)");
  EXPECT_NE(r.detail.find("i=4 (seq 2016) has urgent pointer 0, pointing at 2016 (the urgent byte itself: RFC 1122's LAST); "
                          "the urgent byte is 2016 so it must point at 2017"),
            std::string::npos)
      << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));
}

TEST(UrgentData, NoUrgFlagFails) {
  UrgentRun run;
  run.send(std::nullopt, Delivery::inline_unmarked);
  const auto r = run.judge();
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("it sent urgent data (MSG_OOB at offset 2016) but no segment had URG set"), std::string::npos) << r.detail;
}

TEST(UrgentData, AReceiverThatDoesNotTellItsApplicationFails) {
  UrgentRun run;
  run.send(1, Delivery::inline_unmarked);
  const auto r = run.judge();
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("s2c (server): its application was not told of the urgent data"), std::string::npos) << r.detail;
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
}

TEST(UrgentData, AnUrgentByteNeitherInBandNorOutOfBandFails) {
  UrgentRun run;
  run.send(1, Delivery::lost);
  const auto r = run.judge();
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("is not the wire's with it ("), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("): the byte was lost"), std::string::npos) << r.detail;
}

TEST(UrgentData, AReceiverWithoutAnUrgentApiIsListedNotJudged) {
  UrgentRun run;
  run.send(1, Delivery::unreported);
  const auto r = run.judge();
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["not_judged"].size(), 1u);
  EXPECT_FALSE(r.measured.contains("delivery"));
}

TEST(UrgentData, AClientReportingAnotherOffsetThanAskedFails) {
  UrgentRun run;
  run.send(1, Delivery::out_of_band, 1008);
  const auto r = run.judge();
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("it reported urgent_offset 1008 but the harness asked for 2016"), std::string::npos) << r.detail;
}

// The digests the client reports about its own stream are not the truth
// about what the server got: the wire's stream is (before, a client's wrong
// inband_sha256 failed the server, and a server digest agreeing with it passed).
TEST(UrgentData, TheReceiverIsJudgedAgainstTheWireNotTheSendersDigests) {
  {
    UrgentRun run;
    run.send(1, Delivery::out_of_band);
    run.report("client", "inband_sha256", "0123456789abcdef");
    run.report("client", "sent_sha256", "fedcba9876543210");
    const auto r = run.judge();
    EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
    EXPECT_EQ(r.measured["delivery"]["urgent_byte"], "out of band");
  }
  {
    UrgentRun run;
    run.send(1, Delivery::out_of_band);
    run.report("client", "inband_sha256", "0123456789abcdef");
    run.report("server", "received_sha256", "0123456789abcdef");  // agrees with the client, not with the wire
    const auto r = run.judge();
    EXPECT_EQ(r.verdict, Verdict::fail);
    EXPECT_NE(r.detail.find("s2c (server): it read the urgent byte out of band, but its in-band stream (received_sha256 "
                            "0123456789abcdef) is not the wire's without it"),
              std::string::npos)
        << r.detail;
    EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"s2c"}));
  }
}

// A receiver the wire never delivered the urgent byte to is not judged on it.
TEST(UrgentData, AnUrgentByteTheWireDidNotDeliverLeavesTheReceiverNotJudged) {
  UrgentRun run;
  run.b.scenario.workload = {8000, 1000};  // urgent byte at 4 x 1008 = 4032: never sent
  run.send(1, Delivery::inline_unmarked, 4032);
  const auto r = run.judge();
  ASSERT_TRUE(r.measured.contains("not_judged")) << r.measured.dump();
  EXPECT_NE(r.measured["not_judged"].dump().find("not the urgent byte at offset 4032: the receiver is not judged"),
            std::string::npos)
      << r.measured.dump();
  EXPECT_EQ(r.measured["failed_dirs"], nlohmann::json::array({"c2s"}));  // the sender: its URG points elsewhere
}

TEST(UrgentData, AnotherWorkloadIsNotApplicable) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("c2s", 1, 100);
  EXPECT_EQ(make_urgent_data()->run(b.inputs()).verdict, Verdict::not_applicable);
}

}  // namespace
}  // namespace wireproof::checks
