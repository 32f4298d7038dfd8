#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/log_builder.hpp"

namespace wireproof::checks {
namespace {

using namespace testing;

// A server certificate flight datagram whose ip_size is exactly `ip_size`.
Bytes certificate_datagram(std::size_t ip_size, std::uint64_t seq) {
  const std::size_t body = ip_size - 28 - 13 - 12;
  return record(kHandshake, 0, seq, handshake_message(11, 1, filler(body)));
}

// The server sends its 1200-byte flight at 0 ms; the link MTU drops to 576 at
// 10 ms; the flight is retransmitted (timer) at each of `resend_ms` with the
// given ip sizes (one datagram per entry).
LogBuilder mtu_drop(std::vector<std::pair<double, std::size_t>> resends) {
  LogBuilder b;
  b.datagram("s2c", 0, certificate_datagram(1200, 0), 4);
  b.link_mtu(10, 576);
  std::uint64_t seq = 1;
  for (auto [t, size] : resends) {
    auto& d = b.datagram("s2c", t, certificate_datagram(size, seq++), 4, true);
    if (size > 576) {
      d.fate = "dropped";
      d.deliveries_us.clear();
    }
  }
  return b;
}

TEST(MtuFit, PassesWhenEverythingFitsTheConfiguredMtu) {
  LogBuilder b;
  clean_handshake(b, true);
  auto r = make_mtu_fit()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["s2c"]["oversize"], 0);
  EXPECT_EQ(r.expected["mtu_configured"], 1500);
}

TEST(MtuFit, FailsOnADatagramAboveTheMtuThePeersWereTold) {
  LogBuilder b;
  b.scenario.peers.mtu = 576;
  b.datagram("s2c", 0, certificate_datagram(500, 0), 4);
  const auto big = b.datagram("s2c", 1, certificate_datagram(600, 1), 4).i;
  auto r = make_mtu_fit()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_EQ(r.measured["s2c"]["first_offending_i"], big);
  EXPECT_EQ(r.measured["s2c"]["max_ip_size"], 600);
  EXPECT_EQ(r.evidence, std::vector<std::uint64_t>{big});
}

TEST(MtuFit, PassesWhenTheSenderBacksOffWithinTheGrace) {
  // OpenSSL: two unanswered retransmissions at the old size, then smaller records.
  auto b = mtu_drop({{1000, 1200}, {3000, 1200}, {7000, 500}, {7001, 500}, {7002, 300}});
  auto r = make_mtu_fit()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["s2c"]["tolerated_in_grace"], 2);
  EXPECT_EQ(r.measured["s2c"]["adapted"], true);
}

TEST(MtuFit, FailsWhenTheSenderNeverBacksOff) {
  auto b = mtu_drop({{1000, 1200}, {3000, 1200}, {7000, 1200}});
  auto r = make_mtu_fit()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_EQ(r.measured["s2c"]["oversize"], 1);
  EXPECT_EQ(r.measured["s2c"]["adapted"], false);
  EXPECT_NE(r.detail.find("never backed off: s2c"), std::string::npos) << r.detail;
}

TEST(MtuFit, ASenderThatOnlyAnswersIsGivenTheSameGrace) {
  // The server never resends by its timer: it answers each of the client's
  // flight-3 copies 0.3 ms after it arrives, always at the old 1200 bytes.
  // Its answers are retransmissions of the oversize flight like any other: the
  // third goes beyond the grace of 2.
  LogBuilder b;
  b.datagram("s2c", 0, certificate_datagram(1200, 0), 4);
  b.link_mtu(10, 576);
  std::uint64_t seq = 1;
  for (double t : {150.0, 300.0, 450.0, 600.0, 700.0}) {
    b.datagram("c2s", t - 0.4, record(kHandshake, 0, seq, handshake_message(1, 1, filler(120))), 3, true);
    auto& d = b.datagram("s2c", t, certificate_datagram(1200, seq++), 4, true);
    d.fate = "dropped";
    d.deliveries_us.clear();
  }
  auto r = make_mtu_fit()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_EQ(r.measured["s2c"]["tolerated_in_grace"], 2);
  EXPECT_EQ(r.measured["s2c"]["oversize"], 3);
  EXPECT_NE(r.detail.find("never backed off: s2c"), std::string::npos) << r.detail;
}

TEST(MtuFit, GraceComesFromTheCheckParameters) {
  auto b = mtu_drop({{1000, 1200}, {3000, 1200}, {7000, 1200}});
  b.scenario.expect.check_params_json["mtu_fit"] = R"({"grace_retransmissions": 3})";
  EXPECT_EQ(make_mtu_fit()->run(b.inputs()).verdict, Verdict::pass);
  b.scenario.expect.check_params_json["mtu_fit"] = R"({"grace_retransmissions": 0})";
  EXPECT_EQ(make_mtu_fit()->run(b.inputs()).verdict, Verdict::fail);
}

TEST(MtuFit, ApplicationDataIsJudgedAgainstWhatTheSenderCanKnow) {
  // The client never had a reason to learn of the drop: its 1000-byte record
  // is counted, not failed.
  LogBuilder unaware;
  clean_handshake(unaware, false);
  unaware.link_mtu(10, 576);
  unaware.datagram("c2s", 11, record(kApplicationData, 1, 1, filler(1000)));
  auto r = make_mtu_fit()->run(unaware.inputs());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["c2s"]["non_handshake_before_learning_mtu"], 1);

  // The server backed off its handshake to the new MTU, so it knows it: a
  // 1000-byte record afterwards fails.
  auto adapted = mtu_drop({{1000, 1200}, {3000, 500}});
  const auto big = adapted.datagram("s2c", 4000, record(kApplicationData, 1, 1, filler(1000))).i;
  r = make_mtu_fit()->run(adapted.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_EQ(r.measured["s2c"]["first_offending_i"], big);

  // And above the MTU the peers were told at start, application data always fails.
  LogBuilder told;
  told.scenario.peers.mtu = 576;
  told.datagram("c2s", 11, record(kApplicationData, 1, 1, filler(1000)));
  EXPECT_EQ(make_mtu_fit()->run(told.inputs()).verdict, Verdict::fail);
}

TEST(MtuFit, NotApplicableWithoutDatagrams) {
  LogBuilder b;
  EXPECT_EQ(make_mtu_fit()->run(b.inputs()).verdict, Verdict::not_applicable);
}

}  // namespace
}  // namespace wireproof::checks
