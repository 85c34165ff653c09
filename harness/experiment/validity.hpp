// Is a measured figure the server's, or did the machine, the client or too few samples
// shape it? Each summary row gets named warnings from the rules below; a row with any
// warning is not valid. The thresholds live in one table that also renders the --help text
// and meta.json's "validity.thresholds". The rules are pure functions of a row's figures:
// the runner gathers the figures, these decide.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stats/stream_stats.hpp"

namespace bench::validity {

// One threshold: its name in --help and meta.json, its value, the rule it belongs to.
struct Threshold {
  std::string_view name;
  double value;
  std::string_view warning;  // the warning it raises ("" for the stalled-window rule)
  std::string_view rule;     // one line, for --help
};

std::span<const Threshold> thresholds();
// --help's section: one aligned line per threshold, then the warning names.
std::string help_text();
// {"rate_off_pct": 1, ...} for meta.json.
std::string thresholds_json();

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A summary row's figures. NaN (or false) means "not known / not applicable": a rule whose
// input is missing raises nothing, except `samples`, which is about missing data.
struct RowFigures {
  bool has_stream = true;  // false for idle rows: only the machine rules apply
  // The reported percentile (p99) and the successes it comes from.
  double quantile = 0.99;
  double reported_ms = kNaN;
  std::uint64_t samples = 0;
  // Open loop only: the schedule's due count and what was sent by its end (answered or not,
  // 503s included: the rule asks whether the client offered the load, not how the server
  // answered it), and the client's lateness p99.
  bool open_loop = false;
  std::uint64_t requests_due = 0;
  std::uint64_t sent_in_run = 0;
  double lateness_p99_ms = kNaN;
  // The machine during the phase.
  double phase_s = 0;
  unsigned cpus = 1;
  double stall_max_ms = kNaN;     // stall sentinel
  double steal_ms = kNaN;         // summed over CPUs
  double foreign_cpu_pct = kNaN;  // % of one core, mean over the phase
  // Sequence checks. The runner sets check_iid where a correlation can only come from the
  // machine or the client (see the iid threshold's rule). poisson_a2 is the modified
  // Anderson-Darling statistic (ExponentialFit::a2_modified) of the send gaps of a stream
  // asked for Poisson arrivals.
  bool check_iid = false;
  double lag1_autocorr = kNaN;
  std::uint64_t lag1_samples = 0;
  bool poisson_arrivals = false;
  double poisson_a2 = kNaN;
};

// The stream side of a row's figures, from what the stream recorded: its p99 (NaN with too
// few samples, as reported) and sample count, an open loop's schedule and lateness, the lag-1
// autocorrelation of its latencies and, with Poisson arrivals, the Anderson-Darling statistic
// of its send gaps. The runner fills in the machine's figures and check_iid.
RowFigures stream_figures(const StreamStats& stats, bool poisson_arrivals);

// The warnings of one row, in the order of the table: rate, client-late, machine-stall,
// machine-busy, samples, iid, poisson. (drift needs the repeats: see drifted.)
std::vector<std::string> row_warnings(const RowFigures& row);

// A 500 ms window of series.csv is `stalled` when the sentinel woke >= 1 ms late in it, or
// steal took more than 1% of its CPU time (length x cpus).
bool window_stalled(double stall_max_ms, double steal_ms, double length_s, unsigned cpus);

// One repeat's estimate of a figure with its 95% interval; NaN bounds are open sides.
struct RepeatEstimate {
  double value = kNaN;
  double lo = kNaN;
  double hi = kNaN;
};
// `drift`: the repeats of one configuration (same phase, level and stream) disagree beyond
// their intervals: some two of them do not overlap, i.e. the highest lower bound lies above
// the lowest upper bound. Fewer than two repeats cannot drift.
bool drifted(std::span<const RepeatEstimate> repeats);

// "a;b" in the given order; "" when none. Add "drift" before joining where drifted().
std::string join(const std::vector<std::string>& warnings);

}  // namespace bench::validity
