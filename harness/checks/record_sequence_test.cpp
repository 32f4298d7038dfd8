#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/log_builder.hpp"

namespace wireproof::checks {
namespace {

using namespace testing;

Bytes client_hello_record(std::uint64_t seq, int msg_seq) {
  return record(kHandshake, 0, seq, handshake_message(1, msg_seq, client_hello_body({})));
}
Bytes hvr_record(std::uint64_t seq) {
  return record(kHandshake, 0, seq, handshake_message(3, 0, hello_verify_request_body(0xfeff, filler(8))));
}

TEST(RecordSequence, PassesOnCleanHandshakes) {
  for (bool cookie : {false, true}) {
    LogBuilder b;
    clean_handshake(b, cookie);
    b.datagram("c2s", 20, record(kApplicationData, 1, 1, filler(30)));
    b.datagram("s2c", 21, record(kApplicationData, 1, 1, filler(30)));
    auto r = make_record_sequence()->run(b.inputs());
    EXPECT_EQ(r.verdict, Verdict::pass) << cookie << ": " << r.detail;
  }
}

TEST(RecordSequence, PassesWhenARetransmissionTakesANewNumber) {
  LogBuilder b;
  b.datagram("c2s", 0, client_hello_record(0, 0), 1);
  b.datagram("c2s", 1000, client_hello_record(1, 0), 1, true);
  // Each ClientHello gets its own HelloVerifyRequest copying its number.
  b.datagram("s2c", 1001, hvr_record(1), 2);
  EXPECT_EQ(make_record_sequence()->run(b.inputs()).verdict, Verdict::pass);
}

TEST(RecordSequence, FailsWhenARetransmissionReusesTheNumber) {
  LogBuilder b;
  const auto first = b.datagram("c2s", 0, client_hello_record(0, 0), 1).i;
  const auto again = b.datagram("c2s", 1000, client_hello_record(0, 0), 1, true).i;
  auto r = make_record_sequence()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_EQ(r.evidence, (std::vector<std::uint64_t>{first, again}));
  EXPECT_NE(r.detail.find("reused"), std::string::npos) << r.detail;
}

TEST(RecordSequence, FailsWhenAnEpochDoesNotStartAtZero) {
  LogBuilder b;
  clean_handshake(b, false);
  b.datagram("c2s", 20, record(kApplicationData, 2, 5, filler(30)));
  auto r = make_record_sequence()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("epoch 2 starts at seq 5"), std::string::npos) << r.detail;
}

TEST(RecordSequence, FailsWhenHelloVerifyRequestDoesNotCopyTheClientHelloNumber) {
  LogBuilder b;
  b.datagram("c2s", 0, client_hello_record(0, 0), 1);
  b.datagram("s2c", 1, hvr_record(7), 2);
  auto r = make_record_sequence()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("HelloVerifyRequest record seq 7"), std::string::npos) << r.detail;
}

TEST(RecordSequence, FailsWhenTheServerStartsAtANumberNoClientHelloHad) {
  LogBuilder b;
  b.datagram("c2s", 0, client_hello_record(0, 0), 1);
  b.datagram("s2c", 1, record(kHandshake, 0, 3, handshake_message(2, 0, filler(70))), 2);
  EXPECT_EQ(make_record_sequence()->run(b.inputs()).verdict, Verdict::fail);
}

TEST(RecordSequence, NotApplicableWithoutRecords) {
  LogBuilder b;
  EXPECT_EQ(make_record_sequence()->run(b.inputs()).verdict, Verdict::not_applicable);
}

}  // namespace
}  // namespace wireproof::checks
