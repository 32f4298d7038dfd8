#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/check_expect.hpp"
#include "harness/checks/testdata/tcp_log_builder.hpp"

namespace wireproof::checks {
namespace {

using testing::LogBuilder;
using testing::TcpLogBuilder;
using testing::fails_saying;
using testing::says;

CheckResult judge(const LogBuilder& b) { return make_pmtud_response()->run(b.inputs()); }

// With timestamps a segment is its data + 52 bytes (IPv4): 1448 -> 1500; at
// MTU 1280 at most 1228 bytes. The client's RTT: 1 ms data, acked 1.55 ms.
// Then the link drops to 1280: the next segment (bytes 1448..2896) is dropped
// and the wire answers at 2.1 ms (delivered 2.15 ms).
struct Shrunk {
  LogBuilder b;
  TcpLogBuilder t{b};
  explicit Shrunk(std::uint32_t icmp_mtu = 1280) {
    t.handshake(0);
    t.data("c2s", 1, 1448);
    t.ack_upto("s2c", 1.5, 1448);
    TcpLogBuilder::dropped_too_big(t.data("c2s", 2, 1448));
    t.too_big_reply("c2s", 2.1, icmp_mtu);
  }
  // The lost bytes again in segments of `first` and the rest.
  void resend_lost(double t_ms, std::size_t first) {
    t.resend("c2s", t_ms, 1448, first);
    t.resend("c2s", t_ms + 0.01, 1448 + first, 1448 - first);
  }
};

TEST(PmtudResponse, ResendingAtTheNewMtuAndStayingUnderItPasses) {
  Shrunk s;
  s.resend_lost(2.2, 1228);
  s.t.data("c2s", 2.3, 1228);
  s.t.ack("s2c", 2.8);
  const auto r = judge(s.b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  const auto& m = r.measured["judged"][0];
  EXPECT_EQ(m["expected_mtu"], 1280);
  EXPECT_EQ(m["acted_i"], 7);
  EXPECT_DOUBLE_EQ(m["rtt_ms"].get<double>(), 0.55);
}

// Segments the sender queued before the ICMP reached it leave after it; only
// its first resend proves it knew.
TEST(PmtudResponse, PacketsSizedBeforeTheSenderKnewAreNotJudged) {
  Shrunk s;
  TcpLogBuilder::dropped_too_big(s.t.data("c2s", 2.2, 1448));
  TcpLogBuilder::dropped_too_big(s.t.data("c2s", 10, 1448));  // 7.9 ms after: within 0.55 + 15 ms
  s.t.resend("c2s", 11, 1448, 1228);
  s.t.resend("c2s", 11.01, 2676, 1228);
  s.t.resend("c2s", 11.02, 3904, 1228);
  s.t.resend("c2s", 11.03, 5132, 660);
  const auto r = judge(s.b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["judged"][0]["sized_before_it_knew"], 2);
}

// A resend queued before the ICMP arrived (here 3 ms after it) is not the
// sender's answer to it.
TEST(PmtudResponse, ABigResendWithinOneRttIsNotTheAnswer) {
  Shrunk s;
  TcpLogBuilder::dropped_too_big(s.t.resend("c2s", 5, 1448, 1448));
  s.resend_lost(6, 1228);
  const auto r = judge(s.b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["judged"][0]["acted_i"], 8);
}

TEST(PmtudResponse, ABigPacketAfterTheFirstResendFails) {
  Shrunk s;
  s.resend_lost(2.2, 1228);
  const auto big = TcpLogBuilder::dropped_too_big(s.t.data("c2s", 2.3, 1448)).i;
  s.t.resend("c2s", 2.4, 2896, 1228);
  s.t.resend("c2s", 2.41, 4124, 220);
  const auto r = judge(s.b);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_TRUE(says(r, "c2s (client): i=9 is 1500 bytes after the ICMP i=6 (MTU 1280) reached it and after it acted on it (i=7)"))
      << r.detail;
  EXPECT_EQ(r.evidence, std::vector<std::uint64_t>{big});
}

TEST(PmtudResponse, ABigPacketMoreThanOneRttAfterTheIcmpFails) {
  Shrunk s;
  TcpLogBuilder::dropped_too_big(s.t.data("c2s", 40.05, 1448));  // 37.9 ms after it: past 0.55 + 15 ms
  s.resend_lost(240, 1228);
  s.t.resend("c2s", 240.1, 2896, 1228);
  s.t.resend("c2s", 240.11, 4124, 220);
  EXPECT_TRUE(fails_saying(judge(s.b),
                             "i=7 is 1500 bytes 37.9 ms after the ICMP i=6 (MTU 1280) reached it; expected <= 1280 within one RTT "
                             "(0.550 ms) + 15.0 ms"));
}

TEST(PmtudResponse, AFirstResendAtTheOldSizeFails) {
  Shrunk s;
  TcpLogBuilder::dropped_too_big(s.t.resend("c2s", 200, 1448, 1448));
  s.resend_lost(600, 1228);
  EXPECT_TRUE(fails_saying(judge(s.b),
                             "its first resend after the ICMP i=6 (MTU 1280) reached it, i=7, is 1500 bytes"));
}

TEST(PmtudResponse, LostBytesNeverDeliveredFail) {
  Shrunk s;
  s.t.resend("c2s", 2.2, 1448, 1228);  // the last 220 bytes never come
  EXPECT_TRUE(fails_saying(judge(s.b),
                             "bytes 2676..2896 of i=5, dropped as too big, were never delivered at the new size"));
}

// Linux takes an MTU below net.ipv4.route.min_pmtu (552) as 552 and locks it.
TEST(PmtudResponse, AKernelSenderIsJudgedAtMinPmtuBelowIt) {
  Shrunk s(400);
  s.t.resend("c2s", 30, 1448, 500);  // 552 bytes, past one RTT: judged
  s.t.resend("c2s", 30.01, 1948, 500);
  s.t.resend("c2s", 30.02, 2448, 448);
  auto r = judge(s.b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["judged"][0]["expected_mtu"], 552);
  EXPECT_EQ(r.measured["judged"][0]["clamp"], "ICMP i=6 says MTU 400: judged as 552 (Linux clamps to min_pmtu)");
  // The floor in force in the sender's namespace, as the topology read it back.
  s.b.topology = {{"client", {{"device", "tun"}, {"sysctls", {{"net.ipv4.route.min_pmtu", "400"}}}}}};
  r = judge(s.b);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_TRUE(says(r, "its first resend after the ICMP i=6 (MTU 400) reached it, i=7, is 552 bytes")) << r.detail;
  // A user-space stack has no such clamp: 400 it is.
  s.b.topology = {{"client", {{"device", "packet_socket"}, {"sysctls", nlohmann::json::object()}}}};
  r = judge(s.b);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_EQ(r.measured["judged"][0]["expected_mtu"], 400);
}

TEST(PmtudResponse, AnIpv6PacketTooBigIsFollowed) {
  LogBuilder b;
  TcpLogBuilder t(b, 6);
  t.handshake(0);
  t.data("c2s", 1, 1428);  // 1428 + 40 + 32 = 1500
  t.ack_upto("s2c", 1.5, 1428);
  TcpLogBuilder::dropped_too_big(t.data("c2s", 2, 1428));
  t.too_big_reply("c2s", 2.1, 1280);
  t.resend("c2s", 2.2, 1428, 1208);
  t.resend("c2s", 2.21, 2636, 220);
  EXPECT_EQ(judge(b).verdict, Verdict::pass) << judge(b).detail;
  TcpLogBuilder::dropped_too_big(t.data("c2s", 2.3, 1428));
  EXPECT_EQ(judge(b).verdict, Verdict::fail) << judge(b).detail;
}

// A black hole: the drop at 2 ms gets no ICMP.
struct BlackHole {
  LogBuilder b;
  TcpLogBuilder t{b};
  BlackHole() {
    b.scenario.link.icmp = false;
    t.handshake(0);
    t.data("c2s", 1, 1448);
    t.ack_upto("s2c", 1.5, 1448);
    TcpLogBuilder::dropped_too_big(t.data("c2s", 2, 1448));
    TcpLogBuilder::dropped_too_big(t.resend("c2s", 220, 1448, 1448));
  }
  void probing(const char* value) { b.scenario.peers.client.sysctls = {{"net.ipv4.tcp_mtu_probing", value}}; }
  void recover(double t_ms) {  // Linux: MSS tcp_base_mss 1024 once it detects the black hole
    t.resend("c2s", t_ms, 1448, 1024);
    t.resend("c2s", t_ms + 0.01, 2472, 424);
  }
};

TEST(PmtudResponse, ABlackHoleWithoutProbingIsNotJudged) {
  BlackHole h;
  h.recover(3200);
  auto r = judge(h.b);
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
  EXPECT_TRUE(says(r, "c2s: black hole, probing off (tcp_mtu_probing not set: Linux's default 0)")) << r.detail;
  h.probing("0");
  EXPECT_TRUE(says(judge(h.b), "probing off (tcp_mtu_probing 0)")) << judge(h.b).detail;
}

TEST(PmtudResponse, ABlackHoleWithProbingMustLetTheLostBytesThrough) {
  BlackHole h;
  h.probing("1");
  auto r = judge(h.b);
  EXPECT_EQ(r.verdict, Verdict::fail) << r.detail;
  EXPECT_TRUE(says(r, "black hole with probing on: bytes 1448..2896 dropped as too big (i=5) never got through")) << r.detail;
  h.recover(3200);
  r = judge(h.b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_DOUBLE_EQ(r.measured["judged"][0]["recovered_ms"].get<double>(), 3198.06);
}

// mtu-black-hole linux -> lwip: the RTO resent, at 1500 bytes, a segment
// the receiver already had; it was dropped, but nothing was lost.
TEST(PmtudResponse, AResendOfDeliveredBytesDroppedAsTooBigLosesNothing) {
  BlackHole h;
  h.probing("1");
  h.recover(3200);
  TcpLogBuilder::dropped_too_big(h.t.resend("c2s", 3400, 0, 1448));  // bytes 0..1448, delivered at 1 ms
  const auto r = judge(h.b);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
}

TEST(PmtudResponse, ABlackHoleRecoveredTooLateFails) {
  BlackHole h;
  h.b.topology = {{"client", {{"device", "tun"}, {"sysctls", {{"net.ipv4.tcp_mtu_probing", "2"}}}}}};
  h.recover(12000);
  EXPECT_TRUE(fails_saying(judge(h.b), "got through only 11998 ms later, expected within 10000 ms"));
}

TEST(PmtudResponse, AUserSpaceSenderInABlackHoleIsNotJudged) {
  BlackHole h;
  h.probing("1");  // the namespace's kernel, not the stack on the packet socket
  h.b.topology = {{"client", {{"device", "packet_socket"}, {"sysctls", {{"net.ipv4.tcp_mtu_probing", "1"}}}}}};
  const auto r = judge(h.b);
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
  EXPECT_TRUE(says(r, "the sender is a user-space stack (packet socket)")) << r.detail;
}

// A handshake and one 1448-byte client segment (1500 bytes) at 1 ms.
struct OneSegment {
  LogBuilder b;
  TcpLogBuilder t{b};
  events::Datagram& d;
  OneSegment() : d((t.handshake(0), t.data("c2s", 1, 1448))) {}
};

TEST(PmtudResponse, PacketsWithoutDfFragmentedByTheWireAreNotJudged) {
  OneSegment o;
  o.d.ip->df = false;
  o.d.actions.push_back({"link", "fragment", "ip_size 1500 > mtu 1280; DF not set: cut into 2 fragments"});
  const auto r = judge(o.b);
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
  EXPECT_TRUE(says(r, "c2s: 1 packet(s) without DF, fragmented by the wire as a router would")) << r.detail;
}

TEST(PmtudResponse, NothingTooBigIsNotApplicable) {
  OneSegment o;
  const auto r = judge(o.b);
  EXPECT_EQ(r.verdict, Verdict::not_applicable) << r.detail;
  EXPECT_EQ(r.detail, "no packet exceeded the path MTU");
}

}  // namespace
}  // namespace wireproof::checks
