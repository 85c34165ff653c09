// Follows HdrHistogram's percentile iterator: report levels get denser towards 100% (each
// halving of the distance to 100% gets `ticks_per_half_distance` more lines), so the tail is
// as readable as the body; the last line is the maximum at percentile 1.0.
#include "stats/hgrm.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace bench {

namespace {

void line(std::string& out, double value_us, double percentile, std::uint64_t total) {
  char buf[128];
  if (percentile >= 1.0) {
    std::snprintf(buf, sizeof buf, "%12.3f %12f %12llu %12s\n", value_us / 1000.0, percentile,
                  static_cast<unsigned long long>(total), "inf");
  } else {
    std::snprintf(buf, sizeof buf, "%12.3f %12f %12llu %12.2f\n", value_us / 1000.0, percentile,
                  static_cast<unsigned long long>(total), 1.0 / (1.0 - percentile));
  }
  out += buf;
}

}  // namespace

std::string to_hgrm(const Histogram& h, int ticks_per_half_distance) {
  std::string out;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%12s %12s %12s %12s\n\n", "Value", "Percentile", "TotalCount",
                "1/(1-Percentile)");
  out += buf;
  const std::uint64_t total = h.count();
  if (total > 0) {
    const double max = static_cast<double>(h.max());
    double target = 0.0;  // percent
    std::uint64_t cumulative = 0;
    for (const auto& b : h.buckets()) {
      cumulative += b.count;
      const double highest = std::min(static_cast<double>(b.highest), max);
      const double reached = 100.0 * static_cast<double>(cumulative) / static_cast<double>(total);
      const bool last = cumulative == total;
      while (target <= reached) {
        line(out, highest, target / 100.0, cumulative);
        const auto halvings = static_cast<std::int64_t>(std::log2(100.0 / (100.0 - target))) + 1;
        target += 100.0 / (ticks_per_half_distance * std::pow(2.0, static_cast<double>(halvings)));
        if (last) break;  // the last bucket: one line at its level, then the 100% line
      }
    }
    line(out, max, 1.0, total);
  }
  const double mean = h.mean() / 1000.0, sd = h.stddev() / 1000.0;
  std::snprintf(buf, sizeof buf, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", mean, sd);
  out += buf;
  std::snprintf(buf, sizeof buf, "#[Max     = %12.3f, Total count    = %12llu]\n",
                static_cast<double>(h.max()) / 1000.0, static_cast<unsigned long long>(total));
  out += buf;
  std::snprintf(buf, sizeof buf, "#[Buckets = %12d, SubBuckets     = %12d]\n", 36 - 7,
                1 << (Histogram::kSubBits + 1));
  out += buf;
  return out;
}

}  // namespace bench
