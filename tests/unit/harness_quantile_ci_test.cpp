// Confidence intervals of percentiles from order statistics, and the rule that hides a
// percentile with too few samples behind it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "stats/latency_summary.hpp"
#include "stats/quantile_ci.hpp"

namespace {

using bench::binomial_cdf;
using bench::quantile_rank_interval;

TEST(QuantileIntervalTest, MedianOfHundredUsesTheTextbookRanks) {
  // The classic distribution-free 95% interval for the median of n = 100: X(40) .. X(61).
  const auto r = quantile_rank_interval(100, 0.5);
  EXPECT_EQ(r.lo, 40u);
  EXPECT_EQ(r.hi, 61u);
}

TEST(QuantileIntervalTest, RanksAreTheNarrowestWithNinetyFivePercentCoverage) {
  for (std::uint64_t n : {20ull, 100ull, 1000ull, 50'000ull}) {
    for (double p : {0.5, 0.9, 0.99}) {
      const auto r = quantile_rank_interval(n, p);
      const auto lo = static_cast<std::int64_t>(r.lo), hi = static_cast<std::int64_t>(r.hi);
      if (r.lo >= 1 && r.hi <= n) {
        EXPECT_GE(binomial_cdf(hi - 1, n, p) - binomial_cdf(lo - 1, n, p), 0.95) << n << " " << p;
      }
      // One rank tighter on either side would break the tail bound.
      EXPECT_GT(binomial_cdf(lo, n, p), 0.025) << n << " " << p;
      EXPECT_LT(binomial_cdf(hi - 2, n, p), 0.975) << n << " " << p;
    }
  }
}

TEST(QuantileIntervalTest, P99NeedsEnoughSamplesForAnUpperBound) {
  // X(n) bounds the p99 from above only if P(all n samples below it) = 0.99^n <= 2.5%.
  for (std::uint64_t n = 300; n < 400; ++n) {
    const bool bounded = quantile_rank_interval(n, 0.99).hi <= n;
    EXPECT_EQ(bounded, std::pow(0.99, static_cast<double>(n)) <= 0.025) << n;
  }
}

TEST(QuantileIntervalTest, CoversTheTrueQuantileInNinetyFivePercentOfExperiments) {
  // Uniform(0, 1) samples: the true p-quantile is p itself.
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  for (double p : {0.5, 0.99}) {
    const std::uint64_t n = 1000;
    int covered = 0;
    const int trials = 2000;
    for (int t = 0; t < trials; ++t) {
      std::vector<double> x(n);
      for (auto& v : x) v = u(rng);
      std::sort(x.begin(), x.end());
      const auto r = quantile_rank_interval(n, p);
      ASSERT_TRUE(r.lo >= 1 && r.hi <= n);
      if (x[r.lo - 1] <= p && p <= x[r.hi - 1]) ++covered;
    }
    const double coverage = static_cast<double>(covered) / trials;
    EXPECT_GE(coverage, 0.93) << "p=" << p;  // 95% nominal, >= by construction, minus noise
    EXPECT_LE(coverage, 0.995) << "p=" << p;
  }
}

TEST(LatencySummaryTest, TooFewSamplesLeaveThePercentileEmpty) {
  bench::Histogram h;
  for (int i = 1; i <= 99; ++i) h.record(static_cast<std::uint64_t>(i) * 1000);
  auto s = bench::summarize(h);
  EXPECT_TRUE(std::isnan(s.p99.value_ms));  // 99 samples: "p99" would be the max
  EXPECT_FALSE(std::isnan(s.p90.value_ms));
  EXPECT_NEAR(s.p50.value_ms, 50.0, 0.5);
  EXPECT_DOUBLE_EQ(s.max_ms, 99.0);
  h.record(100'000);
  s = bench::summarize(h);
  EXPECT_NEAR(s.p99.value_ms, 99.0, 0.99);
  EXPECT_FALSE(std::isnan(s.p99.lo_ms));
  EXPECT_TRUE(std::isnan(s.p99.hi_ms));  // 100 samples cannot bound a p99 from above
  EXPECT_TRUE(std::isnan(s.p999.value_ms));
}

TEST(LatencySummaryTest, IntervalsHoldTheEstimate) {
  bench::Histogram h;
  std::mt19937_64 rng(5);
  std::exponential_distribution<double> d(1.0 / 2000);
  for (int i = 0; i < 20'000; ++i) h.record(static_cast<std::uint64_t>(d(rng)));
  const auto s = bench::summarize(h);
  for (const auto* e : {&s.p50, &s.p99}) {
    EXPECT_LE(e->lo_ms, e->value_ms);
    EXPECT_GE(e->hi_ms, e->value_ms);
  }
  EXPECT_LT(s.p99.hi_ms - s.p99.lo_ms, 0.2 * s.p99.value_ms);
}

TEST(EnoughSamplesTest, OneSampleMustLieAboveThePercentile) {
  EXPECT_FALSE(bench::enough_samples(1, 0.5));
  EXPECT_TRUE(bench::enough_samples(2, 0.5));
  EXPECT_FALSE(bench::enough_samples(99, 0.99));
  EXPECT_TRUE(bench::enough_samples(100, 0.99));
  EXPECT_FALSE(bench::enough_samples(999, 0.999));
  EXPECT_TRUE(bench::enough_samples(1000, 0.999));
}

}  // namespace
