// The latency histogram against the exact answer: every percentile read from it must be
// within 1% of the value found by sorting the raw samples, from microseconds to an hour.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "stats/histogram.hpp"

namespace {

using bench::Histogram;

// The nearest-rank percentile of sorted samples: what "p99" means for a list of numbers.
double exact_quantile(const std::vector<std::uint64_t>& sorted, double q) {
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size()) - 1e-9));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return static_cast<double>(sorted[rank - 1]);
}

void expect_percentiles_match(std::vector<std::uint64_t> samples) {
  Histogram h;
  for (auto v : samples) h.record(v);
  std::sort(samples.begin(), samples.end());
  for (double q : {0.0, 0.001, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999, 1.0}) {
    const double exact = exact_quantile(samples, q);
    const double got = h.value_at_quantile(q);
    EXPECT_LE(std::abs(got - exact), 0.01 * exact + 1e-9) << "q=" << q << " exact=" << exact;
  }
  EXPECT_EQ(h.count(), samples.size());
  EXPECT_EQ(h.min(), samples.front());
  EXPECT_EQ(h.max(), samples.back());
}

TEST(HistogramTest, PercentilesMatchSortedSamplesForLogNormalLatencies) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency(std::log(300.0), 1.5);  // median 300 µs, long tail
  std::vector<std::uint64_t> samples;
  for (int i = 0; i < 200'000; ++i)
    samples.push_back(static_cast<std::uint64_t>(std::min(latency(rng), 6e7)));
  expect_percentiles_match(samples);
}

TEST(HistogramTest, PercentilesMatchAcrossMicrosecondsToAnHour) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exponent(0, std::log10(3.6e9));  // 1 µs .. 1 h
  std::vector<std::uint64_t> samples;
  for (int i = 0; i < 50'000; ++i)
    samples.push_back(static_cast<std::uint64_t>(std::pow(10.0, exponent(rng))));
  expect_percentiles_match(samples);
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (std::uint64_t v = 0; v < 256; ++v) h.record(v);
  for (std::uint64_t k = 1; k <= 256; ++k)
    EXPECT_EQ(h.value_at_rank(k), static_cast<double>(k - 1));
}

TEST(HistogramTest, EveryBucketIsNarrowerThanOnePercentOfItsValues) {
  for (std::size_t i = 256; i < Histogram::kBuckets; ++i) {
    const double lo = static_cast<double>(Histogram::lowest_in(i));
    const double hi = static_cast<double>(Histogram::highest_in(i));
    ASSERT_LE((hi - lo) / lo, 0.01) << "bucket " << i;
    ASSERT_EQ(Histogram::index_of(Histogram::lowest_in(i)), i);
    ASSERT_EQ(Histogram::index_of(Histogram::highest_in(i)), i);
    if (i + 1 < Histogram::kBuckets) {
      ASSERT_EQ(Histogram::lowest_in(i + 1), Histogram::highest_in(i) + 1);
    }
  }
}

TEST(HistogramTest, SixtySecondsAndMoreStayWithinOnePercent) {
  for (std::uint64_t v : {60'000'000ull, 61'234'567ull, 3'600'000'000ull, 68'000'000'000ull}) {
    Histogram h;
    h.record(1);
    h.record(v);
    h.record(2);
    EXPECT_LE(std::abs(h.value_at_rank(2) - 2.0), 0.0);
    EXPECT_EQ(h.max(), v);
    Histogram one;
    for (int i = 0; i < 3; ++i) one.record(v + static_cast<std::uint64_t>(i));
    EXPECT_LE(std::abs(one.value_at_rank(2) - static_cast<double>(v)),
              0.01 * static_cast<double>(v));
  }
}

TEST(HistogramTest, ValuesAboveTheRangeAreClampedNotLost) {
  Histogram h;
  h.record(Histogram::kMaxValue * 4);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.max(), Histogram::kMaxValue);
}

TEST(HistogramTest, MeanIsExactAndMergeEqualsRecordingBoth) {
  Histogram a, b, both;
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<std::uint64_t> d(1, 5'000'000);
  long double sum = 0;
  for (int i = 0; i < 10'000; ++i) {
    const auto v = d(rng);
    (i % 2 ? a : b).record(v);
    both.record(v);
    sum += v;
  }
  a.add(b);
  EXPECT_EQ(a.count(), both.count());
  EXPECT_EQ(a.min(), both.min());
  EXPECT_EQ(a.max(), both.max());
  EXPECT_DOUBLE_EQ(a.mean(), static_cast<double>(sum / 10'000));
  for (double q : {0.5, 0.9, 0.99}) EXPECT_EQ(a.value_at_quantile(q), both.value_at_quantile(q));
  a.reset();
  EXPECT_EQ(a.count(), 0u);
  EXPECT_EQ(a.value_at_quantile(0.5), 0.0);
}

}  // namespace
