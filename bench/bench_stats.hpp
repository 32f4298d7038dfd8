// Order statistics the benchmarks report (bench/*): medians of repetitions,
// p50/p99 of latency samples. Nearest-rank on the sorted samples.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace wireproof::bench {

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
  std::size_t n = 0;
};

inline double quantile_of_sorted(const std::vector<double>& v, double q) {
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5))];
}

inline Percentiles percentiles(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  return {quantile_of_sorted(v, 0.50), quantile_of_sorted(v, 0.99), v.back(), v.size()};
}

inline double median(std::vector<double> v) { return percentiles(std::move(v)).p50; }

}  // namespace wireproof::bench
