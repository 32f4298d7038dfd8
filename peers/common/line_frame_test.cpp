#include "peers/common/line_frame.hpp"

#include <gtest/gtest.h>

namespace wireproof::peers {
namespace {

std::vector<std::uint8_t> sample_chunk(std::size_t n, std::uint8_t seed = 7) {
  std::vector<std::uint8_t> c(n);
  for (std::size_t i = 0; i < n; ++i) c[i] = static_cast<std::uint8_t>(seed + i * 31);
  return c;
}

std::string without_newline(std::string line) {
  EXPECT_EQ(line.back(), '\n');
  line.pop_back();
  return line;
}

TEST(LineFrame, RoundTripAtEverySizeUpToTheMaximum) {
  for (std::size_t n = 1; n <= kMaxChunkBytes; ++n) {
    auto chunk = sample_chunk(n);
    std::string line = encode_line(chunk);
    EXPECT_LE(line.size(), kMaxLineBytes);
    auto back = decode_line(without_newline(line));
    ASSERT_TRUE(back.has_value()) << n;
    EXPECT_EQ(*back, chunk);
  }
  EXPECT_EQ(kMaxChunkBytes, 120u);
  EXPECT_THROW(encode_line(sample_chunk(kMaxChunkBytes + 1)), std::length_error);
}

TEST(LineFrame, KnownEncoding) {
  std::vector<std::uint8_t> chunk{'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  // CRC-32 check value of "123456789" is cbf43926.
  EXPECT_EQ(encode_line(chunk), "WP 313233343536373839 cbf43926\n");
}

TEST(LineFrame, TruncatedLineIsRejected) {
  std::string line = without_newline(encode_line(sample_chunk(40)));
  for (std::size_t cut = 0; cut < line.size(); ++cut)
    EXPECT_FALSE(decode_line(line.substr(0, cut)).has_value()) << cut;
}

TEST(LineFrame, CorruptedLineIsRejected) {
  std::string line = without_newline(encode_line(sample_chunk(40)));
  for (std::size_t i = 3; i < line.size(); ++i) {
    std::string bad = line;
    bad[i] = bad[i] == '0' ? '1' : '0';
    if (bad[i] == line[i]) continue;
    EXPECT_FALSE(decode_line(bad).has_value()) << "flipped char " << i;
  }
  std::string upper = line;
  for (auto& c : upper)
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  EXPECT_FALSE(decode_line(upper).has_value());
}

TEST(LineFrame, MergedFragmentKeepsOnlyTheIntactTrailingFrame) {
  auto a = sample_chunk(30, 1), b = sample_chunk(30, 2);
  std::string la = without_newline(encode_line(a)), lb = without_newline(encode_line(b));
  // The tail of a was lost with its record; the fragment ran into b's line.
  auto merged = decode_line(la.substr(0, 20) + lb);
  ASSERT_TRUE(merged.has_value());
  EXPECT_EQ(*merged, b);
  // A whole frame followed by a fragment of another: nothing intact at the end.
  EXPECT_FALSE(decode_line(la + lb.substr(0, 20)).has_value());
  // Two whole frames run together: the second swallowed the first's newline.
  EXPECT_EQ(*decode_line(la + lb), b);
}

TEST(LineFrame, ToolPrefixIsSkippedAndCarriageReturnTolerated) {
  auto c = sample_chunk(12);
  std::string line = without_newline(encode_line(c));
  EXPECT_EQ(*decode_line("*** Processing 38 bytes command: " + line), c);
  EXPECT_EQ(*decode_line(line + "\r"), c);
  EXPECT_FALSE(decode_line(line + " extra").has_value());
  EXPECT_FALSE(decode_line("WP  00000000").has_value());
}

TEST(LineFrame, RecordMustBeExactlyOneCanonicalLine) {
  auto c = sample_chunk(20);
  const std::string line = encode_line(c);
  auto as_record = [](const std::string& s) { return std::vector<std::uint8_t>(s.begin(), s.end()); };
  ASSERT_TRUE(decode_line_record(as_record(line)).has_value());
  EXPECT_EQ(*decode_line_record(as_record(line)), c);
  const std::string body = without_newline(line);
  for (const std::string& bad : {body, body + "\r\n", "x" + line, line + line, line + "\n", std::string("\n"),
                                 std::string{}})
    EXPECT_FALSE(decode_line_record(as_record(bad)).has_value()) << bad;
}

TEST(LineFrame, PatternBytesFitTheMtu) {
  EXPECT_EQ(max_pattern_bytes(1000, std::nullopt), 112u);
  EXPECT_EQ(max_pattern_bytes(1000, 1500), 112u);
  EXPECT_EQ(max_pattern_bytes(50, 1500), 50u);
  const std::size_t at256 = max_pattern_bytes(1000, 256);
  EXPECT_LT(at256, 112u);
  // The whole line plus record overhead stays within the MTU.
  EXPECT_LE(encode_line(std::vector<std::uint8_t>(at256 + 8)).size() + 28 + 13 + 80, 256u);
  EXPECT_GE(max_pattern_bytes(1000, 100), 1u);
}

TEST(LineSplitter, JoinsReadsAndDropsOverlongLines) {
  LineSplitter s(10);
  EXPECT_TRUE(s.feed("abc").empty());
  auto lines = s.feed("def\nxy\n");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "abcdef");
  EXPECT_EQ(lines[1], "xy");
  lines = s.feed("0123456789012345\nok\ntail");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "ok");
  EXPECT_EQ(s.take_rest(), "tail");
}

}  // namespace
}  // namespace wireproof::peers
