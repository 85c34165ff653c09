// The rules, each a few lines reading the table through limit(); the table's order is the
// order of the warnings in a row.
#include "experiment/validity.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "experiment/json.hpp"
#include "stats/anderson_darling.hpp"
#include "stats/autocorrelation.hpp"
#include "stats/latency_summary.hpp"
#include "stats/quantile_ci.hpp"

namespace bench::validity {

namespace {

enum Limit {
  kRateOffPct,
  kClientLateShare,
  kClientLateMs,
  kStallShareOfP99,
  kStallFloorMs,
  kStealPct,
  kForeignCpuPct,
  kSamplesConfidence,
  kIidAbsLag1,
  kIidMinSamples,
  kPoissonA2,
  kDriftConfidence,
  kWindowStallMs,
  kWindowStealPct,
  kLimits
};

constexpr Threshold kTable[] = {
    {"rate_off_pct", 1, "rate",
     "open loop: sent by the schedule's end (503s count: they were sent) vs due, off by > this %"},
    {"client_late_share", 0.10, "client-late",
     "open loop: the client's lateness p99 above this share of the reported p99"},
    {"client_late_ms", 1, "client-late", "  ... or above this many ms"},
    {"stall_share_of_p99", 1, "machine-stall",
     "the stall sentinel's max oversleep in the phase reaches this share of the reported p99"},
    {"stall_floor_ms", 1, "machine-stall",
     "  ... and at least this many ms (VM timers wake 0.1-0.5 ms late as a rule: not a stall)"},
    {"steal_pct", 1, "machine-stall",
     "  ... or steal above this % of the phase's CPU time (duration x CPUs)"},
    {"foreign_cpu_pct", 5, "machine-busy",
     "CPU used by others (not the server's tree, not the harness) above this % of one core"},
    {"samples_confidence", 0.95, "samples",
     "the reported p99's interval at this confidence has no upper bound (p99: < 368 samples)"},
    {"iid_abs_lag1", 0.2, "iid",
     "|Spearman lag-1 autocorrelation| of latencies above this (streams alone on the server)"},
    {"iid_min_samples", 225, "iid",
     "  ... from this many samples (below, 0.2 is within 3 standard errors of independence)"},
    {"poisson_a2", kAndersonDarlingExpCritical5, "poisson",
     "Poisson arrivals: Anderson-Darling A*^2 of the send gaps above this (5%, Stephens 1974)"},
    {"drift_confidence", 0.95, "drift",
     "repeats of a configuration whose p99 intervals at this confidence do not all overlap"},
    {"window_stall_ms", 1, "",
     "series.csv: a window is `stalled` when the sentinel woke this many ms late in it"},
    {"window_steal_pct", 1, "", "  ... or steal took more than this % of its CPU time"},
};
static_assert(std::size(kTable) == kLimits, "one table row per Limit, in order");

double limit(Limit l) {
  return kTable[l].value;
}

bool known(double v) {
  return !std::isnan(v);
}

std::string format_value(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::span<const Threshold> thresholds() {
  return kTable;
}

std::string help_text() {
  std::string out =
      "Validity checks: a summary row with any warning is marked valid=no (--strict: exit 4).\n";
  for (const Threshold& t : kTable) {
    char line[320];
    std::snprintf(line, sizeof line, "  %-14s %s = %s\n  %-14s %.*s\n",
                  t.warning.empty() ? "(series)" : std::string(t.warning).c_str(),
                  std::string(t.name).c_str(), format_value(t.value).c_str(), "",
                  static_cast<int>(t.rule.size()), t.rule.data());
    out += line;
  }
  return out;
}

std::string thresholds_json() {
  json::Object o;
  for (const Threshold& t : kTable) o.num(t.name, t.value);
  return o.text();
}

RowFigures stream_figures(const StreamStats& s, bool poisson_arrivals) {
  RowFigures r;
  r.samples = s.count();
  r.reported_ms = percentile(s.latency(), r.quantile, false).value_ms;
  r.open_loop = s.requests_due() > 0;
  if (r.open_loop) {
    r.requests_due = s.requests_due();
    r.sent_in_run = s.sent_in_run();
    r.lateness_p99_ms = s.lateness().value_at_quantile(0.99) / 1000;
    r.poisson_arrivals = poisson_arrivals;
    if (poisson_arrivals) r.poisson_a2 = anderson_darling_exponential(s.send_gaps_ns()).a2_modified;
  }
  r.lag1_autocorr = spearman_lag1(s.latency_sequence_us());
  r.lag1_samples = s.latency_sequence_us().size();
  return r;
}

std::vector<std::string> row_warnings(const RowFigures& r) {
  std::vector<std::string> w;
  const bool has_p = r.has_stream && known(r.reported_ms);
  if (r.has_stream && r.open_loop && r.requests_due > 0) {
    const double off =
        std::fabs(static_cast<double>(r.sent_in_run) - static_cast<double>(r.requests_due)) /
        static_cast<double>(r.requests_due) * 100;
    if (off > limit(kRateOffPct)) w.emplace_back("rate");
  }
  if (r.has_stream && r.open_loop && known(r.lateness_p99_ms) &&
      ((has_p && r.lateness_p99_ms > limit(kClientLateShare) * r.reported_ms) ||
       r.lateness_p99_ms > limit(kClientLateMs)))
    w.emplace_back("client-late");
  const bool stall_reaches_p =
      has_p && known(r.stall_max_ms) &&
      r.stall_max_ms >= std::max(limit(kStallShareOfP99) * r.reported_ms, limit(kStallFloorMs));
  const bool steal_high = known(r.steal_ms) && r.phase_s > 0 &&
                          r.steal_ms > limit(kStealPct) / 100 * r.phase_s * 1000 * r.cpus;
  if (stall_reaches_p || steal_high) w.emplace_back("machine-stall");
  if (known(r.foreign_cpu_pct) && r.foreign_cpu_pct > limit(kForeignCpuPct))
    w.emplace_back("machine-busy");
  if (r.has_stream &&
      quantile_rank_interval(r.samples, r.quantile, limit(kSamplesConfidence)).hi > r.samples)
    w.emplace_back("samples");
  if (r.has_stream && r.check_iid && known(r.lag1_autocorr) &&
      static_cast<double>(r.lag1_samples) >= limit(kIidMinSamples) &&
      std::fabs(r.lag1_autocorr) > limit(kIidAbsLag1))
    w.emplace_back("iid");
  if (r.has_stream && r.open_loop && r.poisson_arrivals && known(r.poisson_a2) &&
      r.poisson_a2 > limit(kPoissonA2))
    w.emplace_back("poisson");
  return w;
}

bool window_stalled(double stall_max_ms, double steal_ms, double length_s, unsigned cpus) {
  if (known(stall_max_ms) && stall_max_ms >= limit(kWindowStallMs)) return true;
  return known(steal_ms) && length_s > 0 &&
         steal_ms > limit(kWindowStealPct) / 100 * length_s * 1000 * cpus;
}

bool drifted(std::span<const RepeatEstimate> repeats) {
  if (repeats.size() < 2) return false;
  double highest_lo = -INFINITY, lowest_hi = INFINITY;
  for (const RepeatEstimate& r : repeats) {
    if (known(r.lo)) highest_lo = std::max(highest_lo, r.lo);
    if (known(r.hi)) lowest_hi = std::min(lowest_hi, r.hi);
  }
  return highest_lo > lowest_hi;
}

std::string join(const std::vector<std::string>& warnings) {
  std::string out;
  for (const std::string& w : warnings) {
    if (!out.empty()) out += ';';
    out += w;
  }
  return out;
}

}  // namespace bench::validity
