// Spearman rank autocorrelation at lag 1, against values computed independently.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "stats/autocorrelation.hpp"

namespace {

using bench::spearman_lag1;

// Reference values: a separate Python implementation of the definition (average ranks of
// x[:-1] and of x[1:], each ranked on its own, then the Pearson correlation of the ranks:
// what scipy.stats.spearmanr(x[:-1], x[1:]) returns), printed with repr().
TEST(SpearmanLag1Test, MatchesAnIndependentComputationWithTies) {
  const std::vector<double> x = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
  EXPECT_NEAR(spearman_lag1(x), -0.1521768484687357, 1e-12);
}

TEST(SpearmanLag1Test, MatchesAnIndependentComputationOfATrend) {
  const std::vector<double> x = {10, 12, 11, 15, 14, 13, 20, 18, 19, 25};
  EXPECT_NEAR(spearman_lag1(x), 0.6, 1e-12);
}

TEST(SpearmanLag1Test, MonotoneIsOneAndAlternatingIsMinusOne) {
  // By hand: 1..5 pairs (1,2)..(4,5), both copies in the same order: +1. 1,2,1,2,1 pairs
  // (1,2),(2,1),(1,2),(2,1): the copies in opposite order: -1.
  EXPECT_DOUBLE_EQ(spearman_lag1(std::vector<double>{1, 2, 3, 4, 5}), 1.0);
  EXPECT_DOUBLE_EQ(spearman_lag1(std::vector<double>{1, 2, 1, 2, 1}), -1.0);
}

TEST(SpearmanLag1Test, IntegerMicrosecondsGiveTheSameAsDoubles) {
  const std::vector<std::uint32_t> us = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
  EXPECT_NEAR(spearman_lag1(us), -0.1521768484687357, 1e-12);
}

TEST(SpearmanLag1Test, UndefinedForShortOrConstantSequences) {
  EXPECT_TRUE(std::isnan(spearman_lag1(std::vector<double>{1, 2})));
  EXPECT_TRUE(std::isnan(spearman_lag1(std::vector<double>{7, 7, 7, 7})));
}

TEST(SpearmanLag1Test, IndependentSamplesGiveNearZeroAndStallsNearOne) {
  std::mt19937_64 rng(42);
  std::exponential_distribution<double> latency(1.0);
  std::vector<double> iid(20'000);
  for (double& v : iid) v = latency(rng);
  // Standard error about 1/sqrt(n) = 0.007: 0.05 is seven of them.
  EXPECT_LT(std::fabs(spearman_lag1(iid)), 0.05);
  // Stalls: every 100th sample starts a run of 20 delayed ones, each a bit less delayed.
  std::vector<double> stalled = iid;
  for (std::size_t i = 0; i + 20 < stalled.size(); i += 100)
    for (std::size_t k = 0; k < 20; ++k) stalled[i + k] += 50.0 - 2.0 * static_cast<double>(k);
  EXPECT_GT(spearman_lag1(stalled), 0.3);
}

}  // namespace
