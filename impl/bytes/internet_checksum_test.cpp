#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "impl/bytes/internet_checksum.hpp"

using wireproof::bytes::InternetChecksum;

namespace {

// RFC 1071's definition, a byte at a time: the sum the word-wise add() must equal.
std::uint32_t reference_sum(const std::vector<std::uint8_t>& data) {
  std::uint32_t sum = 0;
  for (std::size_t k = 0; k < data.size(); ++k) {
    sum += k % 2 ? data[k] : static_cast<std::uint32_t>(data[k]) << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  }
  return sum;
}

}  // namespace

// RFC 1071 2.(1): the words 0001 f203 f4f5 f6f7 sum to 0xddf2 (checksum 0x220d).
TEST(InternetChecksum, MatchesTheRfc1071Example) {
  const std::vector<std::uint8_t> data{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  InternetChecksum c;
  c.add(data);
  EXPECT_EQ(c.value(), 0x220d);
}

// Random buffers (odd and even lengths, all-0xff runs that carry the most,
// all-zero ones whose sum stays 0) cut
// into random pieces, odd ones included: every way gives the reference's sum.
TEST(InternetChecksum, PiecesOfAnyLengthGiveTheByteWiseSum) {
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::uint8_t> data(rng() % 1600);
    const bool ones = round % 7 == 0, zeros = round % 11 == 0;
    for (auto& b : data) b = ones ? 0xff : zeros ? 0 : static_cast<std::uint8_t>(rng());
    InternetChecksum c;
    std::size_t at = 0;
    while (at < data.size()) {
      const std::size_t piece = std::min<std::size_t>(data.size() - at, rng() % 9 == 0 ? 1 : rng() % 700);
      c.add(std::span<const std::uint8_t>(data).subspan(at, piece));
      at += piece;
    }
    const std::uint32_t want = reference_sum(data);
    ASSERT_EQ(c.value(), static_cast<std::uint16_t>(~want & 0xffff)) << "round " << round << ", " << data.size() << " bytes";
    ASSERT_EQ(c.verifies(), want == 0xffff) << "round " << round;
  }
}

// A segment carrying its own checksum verifies; one flipped bit does not.
TEST(InternetChecksum, VerifiesDataThatCarriesItsChecksum) {
  std::vector<std::uint8_t> data{0x45, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, 0xc6, 0x12, 0x00, 0x01, 0xc6, 0x12, 0x00, 0x02, 0x7f};
  InternetChecksum c;
  c.add(data);
  const std::uint16_t value = c.value();
  data[10] = static_cast<std::uint8_t>(value >> 8);
  data[11] = static_cast<std::uint8_t>(value);
  InternetChecksum again;
  again.add(data);
  EXPECT_TRUE(again.verifies());
  data[3] ^= 0x01;
  InternetChecksum flipped;
  flipped.add(data);
  EXPECT_FALSE(flipped.verifies());
}
