#include "harness/dissect/tcp_stream.hpp"

#include <gtest/gtest.h>

#include "harness/checks/testdata/tcp_log_builder.hpp"

namespace wireproof::dissect {
namespace {

using checks::testing::LogBuilder;
using checks::testing::TcpLogBuilder;

struct Fixture {
  LogBuilder b;
  TcpLogBuilder t{b};
  Fixture() { t.handshake(0); }
  TcpConnection only() {
    auto conns = tcp_connections(b.log);
    EXPECT_EQ(conns.size(), 1u);
    return conns.at(0);
  }
};

TEST(TcpStream, RelativeSequenceNumbersAcrossTheWrap) {
  Fixture f;  // the server's ISN is 0xffffff00: its stream wraps after 255 bytes
  f.t.data("s2c", 1, 200);
  f.t.data("s2c", 2, 200);
  f.t.ack("c2s", 3);
  const auto c = f.only();
  EXPECT_EQ(*c.s2c.isn, 0xffffff00u);
  EXPECT_TRUE(c.s2c.isn_from_syn);
  ASSERT_EQ(c.s2c.segments.size(), 3u);
  EXPECT_EQ(c.s2c.segments[0].seq, -1);  // the SYN-ACK
  EXPECT_EQ(c.s2c.segments[1].seq, 0);
  EXPECT_EQ(c.s2c.segments[2].seq, 200);  // raw seq 0x000000c8 after the wrap
  EXPECT_EQ(c.s2c.segments[2].tcp().seq, 0xffffff00u + 1 + 200);
  EXPECT_EQ(*c.c2s.segments.back().ack, 400);
  EXPECT_EQ(c.s2c.stream, f.t.written("s2c"));
}

// A `window` rule rewrote the ACK on its way: the window is what the data
// sender was offered (the delivered copy's), not what the receiver wrote.
TEST(TcpStream, TheWindowIsTheDeliveredCopys) {
  Fixture f;
  auto& a = f.t.ack("s2c", 1);
  a.ip->header_length = 20;
  std::vector<std::uint8_t> rewritten(40, 0);
  rewritten[20 + 14] = 0x04;  // window 1024
  a.delivered = {rewritten};
  const std::uint64_t as_written = a.tcp->window;
  ASSERT_NE(as_written, 1024u);
  const auto c = f.only();
  EXPECT_EQ(c.s2c.segments.back().window, 1024u << c.s2c.window_shift);
  a.delivered.clear();
  EXPECT_EQ(f.only().s2c.segments.back().window, as_written << c.s2c.window_shift);
}

// The wire's rst rule delivers an RST|ACK (window 0) in place of the segment.
TEST(TcpStream, ASegmentTheWireMadeAnRstIsDeliveredAsOne) {
  Fixture f;
  f.t.data("c2s", 1, 100);
  auto& d = f.t.data("s2c", 2, 100);
  d.ip->header_length = 20;
  std::vector<std::uint8_t> rst(40, 0);
  rst[20 + 13] = events::tcp_flags::rst | events::tcp_flags::ack;
  d.delivered = {rst};
  const std::size_t k = f.b.log.events.size() - 1;  // d is valid only until the next add
  f.t.rst("c2s", 3);
  auto c = f.only();
  EXPECT_TRUE(c.s2c.segments.back().reset_delivered);
  EXPECT_EQ(c.s2c.segments.back().window, 0u);
  EXPECT_TRUE(c.s2c.rsts.empty());  // the server sent none
  EXPECT_TRUE(c.c2s.segments.back().reset_delivered);  // the client's own
  std::get<events::Datagram>(f.b.log.events[k]).delivered.clear();
  EXPECT_FALSE(f.only().s2c.segments.back().reset_delivered);
}

TEST(TcpStream, ReassemblesFromDeliveredSegmentsOnly) {
  Fixture f;
  f.t.data("c2s", 1, 100);
  f.t.data("c2s", 2, 100).fate = "dropped";
  f.t.data("c2s", 3, 100);
  auto c = f.only();
  EXPECT_EQ(c.c2s.stream.size(), 100u);  // a hole at 100..200
  EXPECT_EQ(c.c2s.highest_delivered, 300);
  EXPECT_EQ(c.c2s.missing, 100);
  f.t.resend("c2s", 400, 100, 100);
  c = f.only();
  EXPECT_EQ(c.c2s.stream, f.t.written("c2s"));
  EXPECT_EQ(c.c2s.segments.back().kind, SegmentKind::retransmission);
  EXPECT_TRUE(c.c2s.mismatches.empty());
}

TEST(TcpStream, AResendWithOtherBytesIsAMismatch) {
  Fixture f;
  f.t.data("c2s", 1, 100);
  f.t.resend("c2s", 300, 0, 100).payload[10] ^= 0xff;
  const auto c = f.only();
  ASSERT_EQ(c.c2s.mismatches.size(), 1u);
  EXPECT_EQ(c.c2s.mismatches[0].offset, 10);
  EXPECT_EQ(c.c2s.stream, f.t.written("c2s"));  // first copy wins
}

TEST(TcpStream, ClassifiesAnRtoAfterSilence) {
  Fixture f;
  f.t.data("c2s", 1, 100).fate = "dropped";
  f.t.resend("c2s", 250, 0, 100);
  const auto c = f.only();
  const auto& r = c.c2s.segments.back();
  EXPECT_EQ(r.rtx, RetransmissionKind::rto);
  EXPECT_EQ(r.since_previous_us, 249000);
  EXPECT_FALSE(r.spurious);
}

TEST(TcpStream, ClassifiesAFastRetransmitAfterThreeDuplicateAcks) {
  Fixture f;
  f.t.data("c2s", 1, 1000).fate = "dropped";
  for (int k = 0; k < 4; ++k) f.t.data("c2s", 1.1 + k * 0.1, 1000);
  // One ACK per out-of-order segment: the first differs from the SYN-ACK (its
  // window is scaled), the other three are duplicates.
  for (int k = 0; k < 4; ++k) f.t.ack_upto("s2c", 1.6 + k * 0.1, 0);
  f.t.resend("c2s", 2.5, 0, 1000);
  const auto c = f.only();
  int dups = 0;
  for (const auto& s : c.s2c.segments) dups = std::max(dups, s.dup_ack_number);
  EXPECT_EQ(dups, 3);
  const auto& r = c.c2s.segments.back();
  EXPECT_EQ(r.rtx, RetransmissionKind::fast) << r.dup_acks_seen;
}

// Duplicate ACKs the sender did not act on: its resend comes when the timer
// run from the last ACK that advanced snd_una expires, 200 ms after the last
// duplicate (mtu-shrinks-below-min-pmtu linux -> lwip, i=1422). No ACK sent it.
TEST(TcpStream, AResendLongAfterTheDuplicateAcksIsTheTimers) {
  Fixture f;
  f.t.data("c2s", 1, 1000).fate = "dropped";
  for (int k = 0; k < 4; ++k) f.t.data("c2s", 1.1 + k * 0.1, 1000);
  for (int k = 0; k < 4; ++k) f.t.ack_upto("s2c", 1.6 + k * 0.1, 0);
  f.t.resend("c2s", 1.9 + 200.1, 0, 1000);
  const auto c = f.only();
  const auto& r = c.c2s.segments.back();
  EXPECT_EQ(r.dup_acks_seen, 3);
  EXPECT_EQ(r.rtx, RetransmissionKind::rto);
}

TEST(TcpStream, SackAboveTheHoleIsFastToo) {
  Fixture f;
  f.t.data("c2s", 1, 1000).fate = "dropped";
  f.t.data("c2s", 1.1, 1000);
  f.t.ack_upto("s2c", 1.6, 0, {{1000, 2000}});
  f.t.resend("c2s", 30, 0, 1000);
  const auto& r = f.only().c2s.segments.back();
  EXPECT_TRUE(r.sack_seen);
  EXPECT_EQ(r.rtx, RetransmissionKind::fast);
}

TEST(TcpStream, AProbeOfTheLastSegmentIsATlp) {
  Fixture f;
  f.t.data("c2s", 1, 1000).fate = "dropped";
  f.t.data("c2s", 1.1, 1000).fate = "dropped";
  f.t.resend("c2s", 20, 1000, 1000);   // the last segment, 19 ms later: a probe
  f.t.resend("c2s", 220, 0, 1000);     // snd_una, 219 ms after its first copy: the RTO
  const auto c = f.only();
  const auto n = c.c2s.segments.size();
  EXPECT_EQ(c.c2s.segments[n - 2].rtx, RetransmissionKind::tlp);
  EXPECT_EQ(c.c2s.segments[n - 1].rtx, RetransmissionKind::rto);
}

// handshake-timeout openssl -> openssl: the server's lone flight segment is
// lost; Linux probes it 210.8 ms later (its probe timeout with one segment in
// flight, 2 SRTT + 200 ms, capped at the RTO), the RTO follows 208.0 ms after
// the probe, then 428.0 ms. At snd_una and a full RTO late, the first resend
// is a probe only for a sender known to probe, and only with SACK on.
TEST(TcpStream, AProbingSendersFirstResendAtSndUnaIsATlp) {
  using K = RetransmissionKind;
  const auto kinds = [](const checks::testing::SynOptions& syn, const TcpStreamOptions& o) {
    LogBuilder b;
    TcpLogBuilder t(b);
    t.handshake(0, syn, syn);
    t.data("c2s", 1, 1000).fate = "dropped";
    for (double ms : {211.8, 419.8, 847.8}) t.resend("c2s", ms, 0, 1000).fate = "dropped";
    std::vector<K> out;
    const auto conns = tcp_connections(b.log, o);
    for (const auto& s : conns.at(0).c2s.segments)
      if (s.kind == SegmentKind::retransmission && s.seq >= 0) out.push_back(s.rtx);  // data only
    return out;
  };
  TcpStreamOptions probing;
  probing.probing_senders = {"c2s"};
  EXPECT_EQ(kinds({}, probing), (std::vector<K>{K::tlp, K::rto, K::rto}));
  EXPECT_EQ(kinds({}, {}), (std::vector<K>{K::rto, K::rto, K::rto}));  // a sender of unknown kind
  TcpStreamOptions other_side;
  other_side.probing_senders = {"s2c"};
  EXPECT_EQ(kinds({}, other_side), (std::vector<K>{K::rto, K::rto, K::rto}));
  checks::testing::SynOptions no_sack;
  no_sack.sack_permitted = false;
  EXPECT_EQ(kinds(no_sack, probing), (std::vector<K>{K::rto, K::rto, K::rto}));
}

// Still in loss recovery (snd_una below the `recover` of the last RTO) Linux
// sends no probe: the RTO resend after partial progress stays an RTO.
TEST(TcpStream, NoTlpDuringLossRecovery) {
  LogBuilder b;
  TcpLogBuilder t(b);
  t.handshake(0);
  t.data("c2s", 1, 1000).fate = "dropped";
  t.data("c2s", 1.1, 1000).fate = "dropped";
  t.resend("c2s", 20, 1000, 1000).fate = "dropped";   // the probe
  t.resend("c2s", 225, 0, 1000);                       // the RTO, delivered
  t.ack_upto("s2c", 226, 1000);                        // partial progress: 2000 is still `recover`
  t.resend("c2s", 640, 1000, 1000);                    // the backed-off RTO of the rest
  TcpStreamOptions probing;
  probing.probing_senders = {"c2s"};
  const auto segs = tcp_connections(b.log, probing).at(0).c2s.segments;
  EXPECT_EQ(segs.back().rtx, RetransmissionKind::rto);
}

TEST(TcpStream, AResendOfAckedDataIsSpurious) {
  Fixture f;
  f.t.data("c2s", 1, 100);
  f.t.ack("s2c", 2);
  f.t.resend("c2s", 300, 0, 100);
  EXPECT_TRUE(f.only().c2s.segments.back().spurious);
}

TEST(TcpStream, AnAckClockedResendAfterProgressIsRecovery) {
  Fixture f;
  f.t.data("c2s", 1, 1000).fate = "dropped";
  f.t.data("c2s", 1.1, 1000).fate = "dropped";
  f.t.resend("c2s", 300, 0, 1000);
  f.t.ack_upto("s2c", 301, 1000);
  f.t.resend("c2s", 301.2, 1000, 1000);
  EXPECT_EQ(f.only().c2s.segments.back().rtx, RetransmissionKind::recovery);
}

// RFC 5681 2 defines a duplicate ACK where the data sender receives it: an
// ACK the link dropped is none, and the first delivered ACK of a new value
// advances snd_una even when the receiver had sent that value before (lwIP
// -> lwIP in random-loss-5pct-1mb: the resend 2.7 s later counted 3
// "duplicates" and was called fast).
TEST(TcpStream, DuplicateAcksAreCountedAsTheSenderReceivesThem) {
  Fixture f;
  f.t.data("c2s", 1, 1000);
  f.t.data("c2s", 1.1, 1000).fate = "dropped";
  for (int k = 0; k < 3; ++k) f.t.data("c2s", 1.2 + k * 0.1, 1000);
  f.t.ack_upto("s2c", 1.6, 1000).fate = "dropped";  // advances snd_una: never received
  for (int k = 0; k < 3; ++k) f.t.ack_upto("s2c", 1.7 + k * 0.1, 1000);
  f.t.resend("c2s", 2700, 1000, 1000);
  const auto c = f.only();
  const auto n = c.s2c.segments.size();
  EXPECT_EQ(c.s2c.segments[n - 4].dup_ack_number, 0);  // dropped
  EXPECT_EQ(c.s2c.segments[n - 3].dup_ack_number, 0);  // the first the sender got: progress
  EXPECT_EQ(c.s2c.segments[n - 2].dup_ack_number, 1);
  EXPECT_EQ(c.s2c.segments[n - 1].dup_ack_number, 2);
  const auto& r = c.c2s.segments.back();
  EXPECT_EQ(r.dup_acks_seen, 2);
  EXPECT_EQ(r.rtx, RetransmissionKind::rto);
}

// Duplicates are numbered in order of delivery, not of the log: an ACK held
// back by the link (reordered) reaches the sender after a later one.
TEST(TcpStream, DuplicateAcksAreNumberedInOrderOfDelivery) {
  Fixture f;
  f.t.data("c2s", 1, 1000).fate = "dropped";
  for (int k = 0; k < 4; ++k) f.t.data("c2s", 1.1 + k * 0.1, 1000);
  f.t.ack_upto("s2c", 1.5, 0);
  auto& late = f.t.ack_upto("s2c", 1.6, 0);
  late.deliveries_us = {5000};  // reordered behind the next two
  f.t.ack_upto("s2c", 1.7, 0);
  f.t.ack_upto("s2c", 1.8, 0);
  const auto c = f.only();
  const auto n = c.s2c.segments.size();
  EXPECT_EQ(c.s2c.segments[n - 3].dup_ack_number, 3);
  EXPECT_EQ(c.s2c.segments[n - 2].dup_ack_number, 1);
  EXPECT_EQ(c.s2c.segments[n - 1].dup_ack_number, 2);
}

// One expiry resends one segment (RFC 6298 5.4); the rest of the window sent
// right after it (go-back-N) is recovery, not an RTO of its own.
TEST(TcpStream, TheWindowResentRightAfterAnRtoIsRecovery) {
  Fixture f;
  for (int k = 0; k < 3; ++k) f.t.data("c2s", 1 + k * 0.1, 1000).fate = "dropped";
  f.t.resend("c2s", 250, 0, 1000);
  f.t.resend("c2s", 250.8, 1000, 1000);
  const auto c = f.only();
  const auto n = c.c2s.segments.size();
  EXPECT_EQ(c.c2s.segments[n - 2].rtx, RetransmissionKind::rto);
  EXPECT_EQ(c.c2s.segments[n - 1].rtx, RetransmissionKind::recovery);
}

// No RTO is shorter than the minimum: a resend 0.4 ms after its previous
// transmission answers ACKs the sender processed later than the wire
// delivered them (Linux under load, segments-duplicated lwip -> linux-rfc:
// the ACK had reached its TUN before the original was even sent).
TEST(TcpStream, AResendSoonerThanTheMinimumRtoIsNotAnRto) {
  Fixture f;
  f.t.data("c2s", 1, 1000);
  f.t.ack_upto("s2c", 2, 1000);
  f.t.data("c2s", 10, 1000);
  f.t.data("c2s", 10.1, 1000);
  f.t.resend("c2s", 10.4, 1000, 1000);
  EXPECT_EQ(f.only().c2s.segments.back().rtx, RetransmissionKind::recovery);
}

// RFC 6582 3.2: duplicates after a fast retransmission that was itself lost
// do not cover more than `recover`: the next resend, 200 ms later, is the
// timer's (Linux -> lwIP in random-loss-5pct-1mb: 38 such duplicates, then
// the RTO 204 ms after the lost fast retransmission, had been called fast and
// rto_matches_stack took the second RTO, 452 ms, for the first).
TEST(TcpStream, DuplicatesAfterALostFastRetransmissionDoNotMakeTheRtoFast) {
  Fixture f;
  f.t.data("c2s", 1, 1000).fate = "dropped";
  for (int k = 0; k < 4; ++k) f.t.data("c2s", 1.1 + k * 0.1, 1000);
  for (int k = 0; k < 4; ++k) f.t.ack_upto("s2c", 1.5 + k * 0.1, 0);
  f.t.resend("c2s", 1.9, 0, 1000).fate = "dropped";  // fast: recover = 5000
  for (int k = 0; k < 3; ++k) {
    f.t.data("c2s", 2 + k * 0.1, 1000);
    f.t.ack_upto("s2c", 2.05 + k * 0.1, 0);
  }
  f.t.resend("c2s", 202, 0, 1000);
  const auto c = f.only();
  const auto n = c.c2s.segments.size();
  EXPECT_EQ(c.c2s.segments[n - 5].rtx, RetransmissionKind::fast);
  EXPECT_EQ(c.c2s.segments[n - 1].dup_acks_seen, 0);
  EXPECT_EQ(c.c2s.segments[n - 1].rtx, RetransmissionKind::rto);
}

TEST(TcpStream, WindowsAreScaledOnlyWhenBothSynsOfferedScaling) {
  {
    Fixture f;  // both offer 7
    f.t.data("c2s", 1, 10);
    EXPECT_EQ(f.only().c2s.segments.back().window, 502u << 7);
  }
  LogBuilder b;
  TcpLogBuilder t(b);
  checks::testing::SynOptions none;
  none.window_scale.reset();
  t.handshake(0, {}, none);
  t.data("c2s", 1, 10);
  EXPECT_EQ(tcp_connections(b.log).at(0).c2s.segments.back().window, 502u);
}

TEST(TcpStream, WireInjectedSegmentsAreKeptApart) {
  Fixture f;
  f.t.rst("s2c", 5).origin = "wire";
  const auto c = f.only();
  EXPECT_EQ(c.injected.size(), 1u);
  EXPECT_TRUE(c.s2c.rsts.empty());
}

TEST(TcpStream, ANewSynWithAnotherIsnIsANewConnection) {
  Fixture f;
  f.t.data("c2s", 1, 10);
  auto& syn = f.t.segment("c2s", 100, events::tcp_flags::syn, 12345, 0);
  (void)syn;
  EXPECT_EQ(tcp_connections(f.b.log).size(), 2u);
}

// zero-window-3s lwip -> linux (seed 1): lwIP probes with one byte of new data
// into the zero window (i=56, 2806.0 ms, not accepted: ack stays 48542); the
// window update (i=59, 3087.8 ms) makes it send from that byte 0.24 ms later
// (i=60): an ACK-clocked send, not a timeout 282 ms after the probe.
TEST(TcpStream, ASendRightAfterTheWindowReopensIsNotAnRto) {
  Fixture f;
  f.t.data("c2s", 1, 1000);
  f.t.set_window("s2c", 0);
  f.t.ack("s2c", 2);
  f.t.data("c2s", 1500, 1);           // the probe byte, past the closed window
  f.t.ack_upto("s2c", 1500.1, 1000);  // not accepted
  f.t.set_window("s2c", 297);
  f.t.ack_upto("s2c", 1780, 1000);    // the window update
  f.t.resend("c2s", 1780.3, 1000, 308);
  const auto c = f.only();
  EXPECT_EQ(c.c2s.segments.back().rtx, RetransmissionKind::recovery);
}

}  // namespace
}  // namespace wireproof::dissect
