// Ranks by sorting indices; a run of equal values shares the mean of the ranks it spans.
#include "stats/autocorrelation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace bench {

namespace {

template <typename T>
std::vector<double> average_ranks(std::span<const T> v) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && !(v[order[i]] < v[order[j + 1]])) ++j;
    const double shared = static_cast<double>(i + j) / 2 + 1;  // ranks are 1-based
    for (std::size_t k = i; k <= j; ++k) rank[order[k]] = shared;
    i = j + 1;
  }
  return rank;
}

template <typename T>
double lag1(std::span<const T> x) {
  if (x.size() < 3) return std::numeric_limits<double>::quiet_NaN();
  const std::size_t m = x.size() - 1;
  const std::vector<double> a = average_ranks(x.first(m));
  const std::vector<double> b = average_ranks(x.last(m));
  // Average ranks keep the rank sum, so both means are (m + 1) / 2; taken from the data anyway.
  const double mean_a = std::accumulate(a.begin(), a.end(), 0.0) / static_cast<double>(m);
  const double mean_b = std::accumulate(b.begin(), b.end(), 0.0) / static_cast<double>(m);
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const double da = a[i] - mean_a, db = b[i] - mean_b;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa == 0 || sbb == 0) return std::numeric_limits<double>::quiet_NaN();
  return sab / std::sqrt(saa * sbb);
}

}  // namespace

double spearman_lag1(std::span<const double> x) {
  return lag1(x);
}

double spearman_lag1(std::span<const std::uint32_t> x) {
  return lag1(x);
}

}  // namespace bench
