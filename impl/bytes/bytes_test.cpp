#include <gtest/gtest.h>

#include <vector>

#include "impl/bytes/reader.hpp"
#include "impl/bytes/writer.hpp"

using wireproof::bytes::Reader;
using wireproof::bytes::Writer;

TEST(Reader, ReadsBigEndianAndStopsAtEnd) {
  std::vector<std::uint8_t> d{0x01, 0x02, 0x03, 0x04, 0x05};
  Reader r(d);
  std::uint16_t a = 0;
  std::uint32_t b = 0;
  ASSERT_TRUE(r.get_u16(a));
  EXPECT_EQ(a, 0x0102);
  ASSERT_TRUE(r.get_u24(b));
  EXPECT_EQ(b, 0x030405u);
  std::uint8_t c = 0;
  EXPECT_FALSE(r.get_u8(c));
  EXPECT_TRUE(r.empty());
}

TEST(Reader, FailedReadDoesNotAdvance) {
  std::vector<std::uint8_t> d{0x00, 0x05, 0xaa};
  Reader r(d);
  Reader sub;
  EXPECT_FALSE(r.get_u16_prefixed(sub));  // claims 5 bytes, only 1 present
  EXPECT_EQ(r.remaining(), 3u);
}

TEST(Reader, PrefixedSubReaderIsBounded) {
  std::vector<std::uint8_t> d{0x02, 0xaa, 0xbb, 0xcc};
  Reader r(d);
  Reader sub;
  ASSERT_TRUE(r.get_u8_prefixed(sub));
  EXPECT_EQ(sub.remaining(), 2u);
  std::uint32_t x = 0;
  EXPECT_FALSE(sub.get_u24(x));  // cannot read into the outer structure
  EXPECT_EQ(r.remaining(), 1u);
}

TEST(Writer, BackPatchesLengths) {
  Writer w;
  auto h = w.open_prefixed(2);
  w.put_u8(7);
  w.put_u24(0x010203);
  w.close_prefixed(h);
  std::vector<std::uint8_t> want{0x00, 0x04, 0x07, 0x01, 0x02, 0x03};
  EXPECT_EQ(w.data(), want);
}

TEST(Writer, WritesOpaqueVectorsAndUint16Lists) {
  Writer w;
  std::vector<std::uint8_t> cookie{0xaa, 0xbb};
  std::vector<std::uint16_t> suites{0xc02b, 0x009c};
  w.put_prefixed(1, cookie);
  w.put_u16_list(2, suites);
  w.put_prefixed(3, {});
  std::vector<std::uint8_t> want{0x02, 0xaa, 0xbb, 0x00, 0x04, 0xc0, 0x2b, 0x00, 0x9c, 0x00, 0x00, 0x00};
  EXPECT_EQ(w.data(), want);
  EXPECT_THROW(w.put_prefixed(1, std::vector<std::uint8_t>(256)), std::length_error);
}

TEST(Writer, RejectsOverlongBlock) {
  Writer w;
  auto h = w.open_prefixed(1);
  w.put_zeros(256);
  EXPECT_THROW(w.close_prefixed(h), std::length_error);
}
