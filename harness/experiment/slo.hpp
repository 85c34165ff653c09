// Service-level objectives like k6's thresholds: `--slo 'hi.p99<2ms'`, `--slo 'heavy.rps>1000'`.
// A threshold names a stream (hi, alias probe; heavy), a figure of it and a bound; it is
// checked against what that stream measured in one phase (the experiment uses heavy+probe).
// A figure that was not measured (no stream, too few samples for a percentile) fails: an
// objective that cannot be shown to hold does not hold.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "stats/latency_summary.hpp"

namespace bench {

enum class SloOp { lt, le, gt, ge };
enum class SloMetric { p50, p90, p95, p99, p999, max, mean, rps, errors, error_rate };

struct Slo {
  std::string text;    // as given, e.g. "hi.p99<2ms"
  std::string stream;  // canonical: probe or heavy
  SloMetric metric = SloMetric::p99;
  SloOp op = SloOp::lt;
  double bound = 0;  // ms for latency, req/s for rps, a count for errors, 0..1 for error_rate
};

// "STREAM.METRIC OP VALUE[UNIT]"; returns the broken rule, or "".
std::string parse_slo(const std::string& text, Slo& out);

// What one stream measured in the phase the objectives are checked on.
struct StreamFigures {
  LatencySummary latency;
  double rps = kNaN;
  std::uint64_t count = 0;  // successful answers
  std::uint64_t errors = 0;
};

struct SloCheck {
  double value = kNaN;  // in the objective's unit; NaN: not measured
  bool pass = false;
};

struct SloOutcome {
  std::vector<SloCheck> checks;  // one per objective, in order
  bool pass = true;              // all of them (true when there are none)
  std::string detail;            // "hi.p99<2ms: 1.23ms pass; heavy.rps>1000: 850.2 fail"
};

// `streams` by canonical name (probe, heavy).
SloOutcome evaluate_slos(const std::vector<Slo>& slos,
                         const std::map<std::string, StreamFigures>& streams);

// The value in the objective's unit, as text: "1.23ms", "850.2", "0.5%", "n/a".
std::string slo_value_text(const Slo& slo, double value);

}  // namespace bench
