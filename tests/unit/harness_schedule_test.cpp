// Open-loop arrival schedules: fixed gaps land exactly on start + i/R without drift, Poisson
// gaps have the right mean and spread and repeat exactly with the same seed.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "load/schedule.hpp"

namespace {

TEST(ArrivalScheduleTest, FixedGapsDoNotDriftOverAnHour) {
  const std::uint64_t start = 5'000'000'000;
  bench::ArrivalSchedule s(3.0, false, 1, start);  // 333333333.33 ns apart: rounding would drift
  for (std::uint64_t i = 0; i < 3 * 3600; ++i) {
    const std::uint64_t due = s.next();
    const auto expected = start + static_cast<std::uint64_t>(std::llround(i * 1e9 / 3.0));
    ASSERT_EQ(due, expected) << i;
  }
}

TEST(ArrivalScheduleTest, FirstRequestIsDueAtTheStart) {
  bench::ArrivalSchedule fixed(200, false, 1, 1000);
  EXPECT_EQ(fixed.next(), 1000u);
  bench::ArrivalSchedule poisson(200, true, 1, 1000);
  EXPECT_EQ(poisson.next(), 1000u);
}

TEST(ArrivalScheduleTest, PoissonGapsHaveMeanOneOverRateAndUnitCoefficientOfVariation) {
  bench::ArrivalSchedule s(1000, true, 99, 0);
  std::uint64_t previous = s.next();
  const int n = 200'000;
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < n; ++i) {
    const std::uint64_t t = s.next();
    const double gap = static_cast<double>(t - previous);
    previous = t;
    sum += gap;
    sum_sq += gap * gap;
  }
  const double mean = sum / n;
  const double sd = std::sqrt(sum_sq / n - mean * mean);
  EXPECT_NEAR(mean, 1e6, 1e6 * 0.01);  // 1 ms
  EXPECT_NEAR(sd / mean, 1.0, 0.02);   // exponential: standard deviation equals the mean
}

TEST(ArrivalScheduleTest, SameSeedSameArrivals) {
  bench::ArrivalSchedule a(500, true, 7, 0), b(500, true, 7, 0), c(500, true, 8, 0);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const auto x = a.next();
    EXPECT_EQ(x, b.next());
    differs = differs || x != c.next();
  }
  EXPECT_TRUE(differs);
}

}  // namespace
