// Percentiles from the histogram; their intervals map the binomial ranks back to values.
#include "stats/latency_summary.hpp"

#include "stats/quantile_ci.hpp"

namespace bench {

Estimate percentile(const Histogram& h, double q, bool with_interval) {
  Estimate e;
  const std::uint64_t n = h.count();
  if (n == 0 || !enough_samples(n, q)) return e;
  e.value_ms = h.value_at_quantile(q) / 1000.0;
  if (with_interval) {
    const RankInterval r = quantile_rank_interval(n, q);
    if (r.lo >= 1) e.lo_ms = h.value_at_rank(r.lo) / 1000.0;
    if (r.hi <= n) e.hi_ms = h.value_at_rank(r.hi) / 1000.0;
  }
  return e;
}

LatencySummary summarize(const Histogram& h) {
  LatencySummary s;
  s.count = h.count();
  if (s.count == 0) return s;
  s.mean_ms = h.mean() / 1000.0;
  s.max_ms = static_cast<double>(h.max()) / 1000.0;
  s.p50 = percentile(h, 0.50, true);
  s.p90 = percentile(h, 0.90, false);
  s.p95 = percentile(h, 0.95, false);
  s.p99 = percentile(h, 0.99, true);
  s.p999 = percentile(h, 0.999, false);
  return s;
}

}  // namespace bench
