#include <gtest/gtest.h>

#include "harness/checks/registry.hpp"
#include "harness/checks/testdata/log_builder.hpp"

namespace wireproof::checks {
namespace {

using namespace testing;

const Bytes kCertificate = filler(900, 11);

Bytes cert_fragment(std::uint64_t seq, std::uint32_t offset, std::uint32_t length, const Bytes& message = kCertificate) {
  std::span<const std::uint8_t> part(message.data() + offset, length);
  return record(kHandshake, 0, seq, handshake_fragment(11, static_cast<std::uint32_t>(message.size()), 1, offset, part));
}

TEST(FragmentsConsistent, PassesOnWholeMessages) {
  LogBuilder b;
  clean_handshake(b, true);
  auto r = make_fragments_consistent()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["fragmented_messages"], 0);
}

TEST(FragmentsConsistent, PassesOnFragmentsResentSmallerAndOverlapping) {
  LogBuilder b;
  b.datagram("s2c", 0, cert_fragment(0, 0, 500), 4);
  b.datagram("s2c", 0.1, cert_fragment(1, 500, 400), 4);
  // Retransmitted after an MTU drop with smaller, overlapping ranges.
  b.datagram("s2c", 1000, cert_fragment(2, 0, 300), 4, true);
  b.datagram("s2c", 1000.1, cert_fragment(3, 250, 300), 4, true);
  b.datagram("s2c", 1000.2, cert_fragment(4, 550, 350), 4, true);
  auto r = make_fragments_consistent()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
  EXPECT_EQ(r.measured["fragmented_messages"], 1);
  EXPECT_EQ(r.measured["fragments"], 5);
}

TEST(FragmentsConsistent, FailsOnAFragmentBeyondTheMessageLength) {
  LogBuilder b;
  Bytes body = filler(100);
  const auto i = b.datagram("s2c", 0, record(kHandshake, 0, 0, handshake_fragment(11, 80, 1, 0, body)), 4).i;
  auto r = make_fragments_consistent()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("frag_offset 0 + frag_length 100 > length 80"), std::string::npos) << r.detail;
  EXPECT_EQ(r.evidence, std::vector<std::uint64_t>{i});
}

TEST(FragmentsConsistent, FailsWhenAPartOfTheMessageIsNeverSent) {
  LogBuilder b;
  b.datagram("s2c", 0, cert_fragment(0, 0, 300), 4);
  b.datagram("s2c", 0.1, cert_fragment(1, 600, 300), 4);
  auto r = make_fragments_consistent()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("bytes [300, 600) of 900 never sent"), std::string::npos) << r.detail;
}

TEST(FragmentsConsistent, FailsWhenOverlapsCarryDifferentBytes) {
  LogBuilder b;
  Bytes other = kCertificate;
  other[400] ^= 0xff;
  const auto a = b.datagram("s2c", 0, cert_fragment(0, 0, 900), 4).i;
  const auto c = b.datagram("s2c", 1000, cert_fragment(1, 300, 300, other), 4, true).i;
  auto r = make_fragments_consistent()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_EQ(r.evidence, (std::vector<std::uint64_t>{a, c}));
  EXPECT_NE(r.detail.find("different bytes"), std::string::npos) << r.detail;
}

TEST(FragmentsConsistent, FailsWhenFragmentsDisagreeOnLength) {
  LogBuilder b;
  b.datagram("s2c", 0, cert_fragment(0, 0, 450), 4);
  Bytes longer = filler(1000, 11);
  b.datagram("s2c", 0.1, cert_fragment(1, 450, 550, longer), 4);
  auto r = make_fragments_consistent()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("length 1000 differs from 900"), std::string::npos) << r.detail;
}

TEST(FragmentsConsistent, FailsWhenAFragmentRunsPastItsRecord) {
  LogBuilder b;
  Bytes hs = handshake_fragment(11, 900, 1, 0, filler(200));
  hs.resize(12 + 120);  // the header still says 200 bytes
  b.datagram("s2c", 0, record(kHandshake, 0, 0, hs), 4);
  auto r = make_fragments_consistent()->run(b.inputs());
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.detail.find("runs past the end of its record"), std::string::npos) << r.detail;
}

TEST(FragmentsConsistent, NotApplicableWithoutPlaintextHandshake) {
  LogBuilder b;
  b.datagram("c2s", 0, record(kApplicationData, 1, 1, filler(40)));
  b.datagram("c2s", 1, record(kHandshake, 1, 2, filler(40)));  // encrypted Finished: opaque
  EXPECT_EQ(make_fragments_consistent()->run(b.inputs()).verdict, Verdict::not_applicable);
}

}  // namespace
}  // namespace wireproof::checks

namespace wireproof::checks {
namespace {

TEST(FragmentsConsistent, DoesNotBufferHugeMessagesButCountsThem) {
  testing::LogBuilder b;
  b.datagram("s2c", 0,
             testing::record(testing::kHandshake, 0, 0,
                             testing::handshake_fragment(11, 0xffffff, 1, 0, testing::filler(100))),
             4);
  auto r = make_fragments_consistent()->run(b.inputs());
  EXPECT_EQ(r.measured["unchecked_messages_over_1MiB"], 1);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.detail;
}

}  // namespace
}  // namespace wireproof::checks
