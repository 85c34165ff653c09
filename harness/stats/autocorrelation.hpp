// Spearman rank autocorrelation at lag 1: how alike neighbouring values of a sequence are
// (consecutive latencies in completion order). Independent samples give about 0, with a
// standard error of about 1/sqrt(n); a machine stall that delays several requests in a row
// makes neighbours alike and pushes it towards 1. Ranks make it indifferent to the long
// tail that would dominate a Pearson correlation of raw latencies.
#pragma once

#include <cstdint>
#include <span>

namespace bench {

// The Pearson correlation of the ranks of x[0..n-2] with the ranks of x[1..n-1], each ranked
// on its own, ties given their average rank (the definition scipy.stats.spearmanr uses on
// the two shifted copies). NaN when n < 3 or when either copy is constant.
double spearman_lag1(std::span<const double> x);
double spearman_lag1(std::span<const std::uint32_t> x);

}  // namespace bench
