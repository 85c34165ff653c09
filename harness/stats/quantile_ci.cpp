// The binomial tails are summed from the log pmf (lgamma), starting where the lower tail's
// mass is negligible, so even n in the millions costs O(sqrt(n)) terms.
#include "stats/quantile_ci.hpp"

#include <algorithm>
#include <cmath>

namespace bench {

namespace {

double log_pmf(std::uint64_t k, std::uint64_t n, double p) {
  const double dn = static_cast<double>(n), dk = static_cast<double>(k);
  return std::lgamma(dn + 1) - std::lgamma(dk + 1) - std::lgamma(dn - dk + 1) + dk * std::log(p) +
         (dn - dk) * std::log1p(-p);
}

}  // namespace

double binomial_cdf(std::int64_t k, std::uint64_t n, double p) {
  if (k < 0) return 0.0;
  if (static_cast<std::uint64_t>(k) >= n) return 1.0;
  if (p <= 0) return 1.0;
  if (p >= 1) return 0.0;
  // Terms further than 40 standard deviations (and 50 ranks) below the mean add < 1e-300.
  const double mean = static_cast<double>(n) * p;
  const double sd = std::sqrt(mean * (1 - p));
  const double start = std::max(0.0, std::floor(mean - 40 * sd - 50));
  double sum = 0;
  for (auto i = static_cast<std::uint64_t>(start); i <= static_cast<std::uint64_t>(k); ++i)
    sum += std::exp(log_pmf(i, n, p));
  return std::min(sum, 1.0);
}

RankInterval quantile_rank_interval(std::uint64_t n, double p, double confidence) {
  RankInterval r{0, n + 1};
  if (n == 0 || p <= 0 || p >= 1) return r;
  const double tail = (1 - confidence) / 2;
  // lo: the largest l with P(B <= l - 1) <= tail; hi: the smallest u with P(B <= u - 1) >=
  // 1 - tail. Both walk outward from the p-quantile's own rank, one pmf term per step.
  const auto centre = static_cast<std::uint64_t>(
      std::clamp(std::ceil(p * static_cast<double>(n) - 1e-9), 1.0, static_cast<double>(n)));
  const double at_centre = binomial_cdf(static_cast<std::int64_t>(centre) - 1, n, p);

  double cdf = at_centre;  // P(B <= l - 1)
  for (std::uint64_t l = centre; l >= 1; --l) {
    if (cdf <= tail) {
      r.lo = l;
      break;
    }
    if (l == 1) break;
    cdf -= std::exp(log_pmf(l - 1, n, p));
  }
  cdf = at_centre;  // P(B <= u - 1)
  for (std::uint64_t u = centre; u <= n; ++u) {
    if (cdf >= 1 - tail) {
      r.hi = u;
      break;
    }
    cdf += std::exp(log_pmf(u, n, p));
  }
  return r;
}

bool enough_samples(std::uint64_t n, double p) {
  return static_cast<double>(n) * (1 - p) >= 1 - 1e-9;
}

}  // namespace bench
