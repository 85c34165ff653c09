// The figures a reader wants from one latency histogram: count, mean, percentiles with the
// 95% interval for p50 and p99, max. In milliseconds; NaN marks "too few samples" so the CSV
// writer leaves the cell empty and no made-up number is printed.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "stats/histogram.hpp"

namespace bench {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Estimate {
  double value_ms = kNaN;
  double lo_ms = kNaN;  // 95% interval; NaN where the samples do not bound that side
  double hi_ms = kNaN;
};

struct LatencySummary {
  std::uint64_t count = 0;
  double mean_ms = kNaN;
  double max_ms = kNaN;
  Estimate p50, p90, p95, p99, p999;
};

// Percentile q (0..1) of a histogram in µs; value NaN with too few samples, interval only
// when `with_interval`.
Estimate percentile(const Histogram& micros, double q, bool with_interval);
LatencySummary summarize(const Histogram& micros);

}  // namespace bench
