#include <gtest/gtest.h>

#include "harness/wire/rng.hpp"

using wireproof::wire::Rng;

TEST(Rng, SameSeedSameStreamDifferentSeedDifferent) {
  Rng a(1), b(1), c(2);
  for (int k = 0; k < 100; ++k) {
    const auto x = a.next();
    EXPECT_EQ(x, b.next());
    EXPECT_NE(x, c.next());
  }
}

TEST(Rng, RangesStayInBoundsAndCoverThem) {
  Rng r(99);
  double lo = 1, hi = 0, sum = 0;
  int hits[10] = {};
  for (int k = 0; k < 100000; ++k) {
    const double u = r.uniform01();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    sum += u;
    const auto b = r.below(10);
    ASSERT_LT(b, 10u);
    hits[b]++;
  }
  EXPECT_LT(lo, 0.001);
  EXPECT_GT(hi, 0.999);
  EXPECT_NEAR(sum / 100000, 0.5, 0.01);
  for (int h : hits) EXPECT_NEAR(h, 10000, 600);
}
