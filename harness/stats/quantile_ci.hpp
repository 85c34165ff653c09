// Confidence intervals for a quantile from order statistics, with no assumption about the
// latency distribution: if B ~ Binomial(n, p) counts the samples at or below the true
// p-quantile, then P(X(l) <= q_p < X(u)) >= P(l <= B <= u - 1), so l and u are picked from
// the binomial's tails. Also the rule for when a percentile has too few samples to be shown.
#pragma once

#include <cstdint>

namespace bench {

struct RankInterval {
  // 1-based ranks into the sorted samples. lo == 0 means "unbounded below" and hi == n + 1
  // "unbounded above": too few samples for that side of the interval.
  std::uint64_t lo = 0;
  std::uint64_t hi = 0;
};

// The narrowest symmetric-tail interval [X(lo), X(hi)] covering the p-quantile with at least
// `confidence` probability.
RankInterval quantile_rank_interval(std::uint64_t n, double p, double confidence = 0.95);

// Binomial(n, p) cumulative distribution P(B <= k), for k < 0 zero.
double binomial_cdf(std::int64_t k, std::uint64_t n, double p);

// A p-quantile is shown only when at least one sample lies above its rank (n * (1 - p) >= 1):
// with fewer, "p99" would be the maximum under another name. p50: 2, p99: 100, p99.9: 1000.
bool enough_samples(std::uint64_t n, double p);

}  // namespace bench
