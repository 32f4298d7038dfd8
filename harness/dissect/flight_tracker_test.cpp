#include <gtest/gtest.h>

#include "harness/dissect/dtls_builder.hpp"
#include "harness/dissect/dtls_dissector.hpp"
#include "harness/dissect/flight_tracker.hpp"

using namespace wireproof;
using namespace wireproof::dtls_builder;
using dissect::FlightInfo;
using dissect::Sender;

namespace {

constexpr auto C = Sender::client;
constexpr auto S = Sender::server;

FlightInfo feed(dissect::FlightTracker& t, Sender from, const Bytes& d) {
  auto r = dissect::dissect_dtls(d);
  EXPECT_FALSE(r.malformed) << *r.malformed;
  return t.classify(from, r.records);
}

void expect_flight(const FlightInfo& f, int flight, bool retransmission) {
  ASSERT_TRUE(f.flight.has_value());
  EXPECT_EQ(*f.flight, flight);
  EXPECT_EQ(f.retransmission, retransmission);
}

// Handshake message types.
constexpr std::uint8_t CH = 1, SH = 2, HVR = 3, CERT = 11, SKE = 12, SHD = 14, CKE = 16;

}  // namespace

TEST(FlightTracker, FullHandshakeWithCookieExchange) {
  dissect::FlightTracker t;
  expect_flight(feed(t, C, handshake(CH, 0, 0, 100)), 1, false);
  expect_flight(feed(t, S, handshake(HVR, 0, 0, 23)), 2, false);
  expect_flight(feed(t, C, handshake(CH, 1, 1, 120)), 3, false);
  expect_flight(feed(t, S, datagram({handshake(SH, 1, 1, 60), handshake(CERT, 2, 2, 300)})), 4, false);
  expect_flight(feed(t, S, datagram({handshake(SKE, 3, 3, 100), handshake(SHD, 4, 4, 0)})), 4, false);
  expect_flight(feed(t, C, datagram({handshake(CKE, 2, 2, 33), ccs(0, 3), encrypted_handshake(0)})), 5, false);
  expect_flight(feed(t, S, datagram({ccs(0, 5), encrypted_handshake(0)})), 6, false);
  auto app = feed(t, C, app_data(1));
  EXPECT_FALSE(app.flight);
  EXPECT_FALSE(app.retransmission);
  EXPECT_FALSE(feed(t, S, alert(1, 0, 7)).flight) << "a plaintext alert alone has no flight";
}

TEST(FlightTracker, WithoutCookieNumbersContinueFromOne) {
  dissect::FlightTracker t;
  expect_flight(feed(t, C, handshake(CH, 0, 0, 100)), 1, false);
  expect_flight(feed(t, S, datagram({handshake(SH, 0, 0, 60), handshake(SHD, 1, 1, 0)})), 2, false);
  expect_flight(feed(t, C, datagram({handshake(CKE, 1, 1, 33), ccs(0, 2), encrypted_handshake(0)})), 3, false);
}

TEST(FlightTracker, RetransmissionKeepsOriginalFlight) {
  dissect::FlightTracker t;
  feed(t, C, handshake(CH, 0, 0, 100));
  feed(t, S, datagram({handshake(SH, 0, 0, 60), handshake(SHD, 1, 1, 0)}));
  expect_flight(feed(t, C, handshake(CH, 0, 2, 100)), 1, true);
  // Same flight resent as one message per datagram (OpenSSL's retransmit style).
  expect_flight(feed(t, S, handshake(SH, 0, 2, 60)), 2, true);
  expect_flight(feed(t, S, handshake(SHD, 1, 3, 0)), 2, true);
  // New content from the client after the retransmissions: a new flight, 3.
  expect_flight(feed(t, C, handshake(CKE, 1, 3, 33)), 3, false);
}

TEST(FlightTracker, SameMessageSeqFromOtherDirectionIsNotARetransmission) {
  dissect::FlightTracker t;
  feed(t, C, handshake(CH, 0, 0, 100));
  expect_flight(feed(t, S, handshake(CH, 0, 0, 100)), 2, false);
}

TEST(FlightTracker, RefragmentedMessageIsARetransmission) {
  dissect::FlightTracker t;
  feed(t, C, handshake(CH, 0, 0, 100));
  expect_flight(feed(t, S, handshake(CERT, 1, 1, 1000)), 2, false);
  // The certificate again in two fragments (smaller MTU): covered, so retransmitted.
  expect_flight(feed(t, S, handshake(CERT, 1, 2, 1000, 0, 500)), 2, true);
  expect_flight(feed(t, S, handshake(CERT, 1, 3, 1000, 500, 500)), 2, true);
}

TEST(FlightTracker, NewFragmentOfSameMessageIsNotARetransmission) {
  dissect::FlightTracker t;
  feed(t, C, handshake(CH, 0, 0, 100));
  expect_flight(feed(t, S, handshake(CERT, 1, 1, 1000, 0, 500)), 2, false);
  expect_flight(feed(t, S, handshake(CERT, 1, 2, 1000, 500, 500)), 2, false);
  expect_flight(feed(t, S, handshake(CERT, 1, 3, 1000, 250, 500)), 2, true);
}

TEST(FlightTracker, InterleavedRetransmissionDoesNotSplitAFlight) {
  dissect::FlightTracker t;
  feed(t, C, handshake(CH, 0, 0, 100));
  feed(t, S, handshake(SH, 0, 0, 60));
  expect_flight(feed(t, C, handshake(CERT, 1, 1, 300)), 3, false);
  expect_flight(feed(t, S, handshake(SH, 0, 1, 60)), 2, true);
  expect_flight(feed(t, C, handshake(CKE, 2, 2, 33)), 3, false);
}

TEST(FlightTracker, ChangeCipherSpecAndFinishedRetransmitted) {
  dissect::FlightTracker t;
  feed(t, C, handshake(CH, 0, 0, 100));
  feed(t, S, handshake(SHD, 0, 0, 0));
  expect_flight(feed(t, C, datagram({handshake(CKE, 1, 1, 33), ccs(0, 2)})), 3, false);
  expect_flight(feed(t, C, encrypted_handshake(0)), 3, false);
  expect_flight(feed(t, S, datagram({ccs(0, 1), encrypted_handshake(0)})), 4, false);
  // Client resends its whole flight one record per datagram.
  expect_flight(feed(t, C, handshake(CKE, 1, 3, 33)), 3, true);
  expect_flight(feed(t, C, ccs(0, 4)), 3, true);
  expect_flight(feed(t, C, encrypted_handshake(1)), 3, true);
  expect_flight(feed(t, S, datagram({ccs(0, 2), encrypted_handshake(1)})), 4, true);
}
