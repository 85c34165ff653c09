// A^2 = -n - (1/n) sum_{i=1..n} (2i - 1) [ln F(y_(i)) + ln(1 - F(y_(n+1-i)))], with
// y = x / mean sorted and F(y) = 1 - exp(-y): ln(1 - F(y)) is exactly -y, and ln F(y) is
// log(-expm1(-y)), accurate for the small gaps that matter most.
#include "stats/anderson_darling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace bench {

namespace {

ExponentialFit fit(std::vector<double> y) {
  ExponentialFit r;
  r.n = y.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  r.a2 = r.a2_modified = nan;
  if (r.n == 0) return r;
  r.mean = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(r.n);
  if (r.n < kAndersonDarlingMinSamples || !(r.mean > 0)) return r;
  for (double& v : y) v = std::max(v, 0.0) / r.mean;
  std::sort(y.begin(), y.end());
  // ln F(0) is -infinity: cap it at the log of the smallest double so A^2 stays finite and
  // huge (a certain rejection) rather than infinite.
  const double floor_log = std::log(std::numeric_limits<double>::min());
  const std::size_t n = r.n;
  long double sum = 0;
  for (std::size_t i = 1; i <= n; ++i) {
    const double log_f = std::max(std::log(-std::expm1(-y[i - 1])), floor_log);
    const double log_survival = -y[n - i];
    sum += static_cast<long double>(2 * i - 1) * (log_f + log_survival);
  }
  const double dn = static_cast<double>(n);
  r.a2 = static_cast<double>(-static_cast<long double>(dn) - sum / dn);
  r.a2_modified = r.a2 * (1 + 0.6 / dn);
  r.rejected = r.a2_modified > kAndersonDarlingExpCritical5;
  return r;
}

}  // namespace

ExponentialFit anderson_darling_exponential(std::span<const double> x) {
  return fit(std::vector<double>(x.begin(), x.end()));
}

ExponentialFit anderson_darling_exponential(std::span<const std::uint64_t> gaps_ns) {
  std::vector<double> y(gaps_ns.size());
  std::transform(gaps_ns.begin(), gaps_ns.end(), y.begin(),
                 [](std::uint64_t g) { return static_cast<double>(g); });
  return fit(std::move(y));
}

}  // namespace bench
