// The offered-load curve of each configuration and the experiment's answer drawn from it:
// its responsive capacity, the highest offered heavy load at which /hi p99 stayed within
// knee_factor x its unloaded p99 there and at every lower level (a later level that happens
// to look good again does not count: past the knee the server is no longer responsive).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "stats/latency_summary.hpp"

namespace bench {

struct LevelPoint {  // one load phase of one level run
  std::size_t config = 0;
  unsigned repeat = 1;
  std::size_t level = 0;  // index in the options' levels
  std::string label;      // "50%"
  double offered_rps = kNaN;
  double offered_pct = kNaN;
  double heavy_rps = kNaN;  // achieved: 2xx answers per second
  double heavy_p99_ms = kNaN;
  double slowdown_p99 = kNaN;
  double hi_p99_ms = kNaN;
  std::uint64_t rejected = 0;  // 503s
  std::uint64_t errors = 0;    // all errors, 503s included
  bool valid = true;
};

struct CurvePoint {  // one configuration at one level, over its repeats
  std::size_t level = 0;
  std::string label;
  double offered_rps = kNaN, offered_pct = kNaN;
  double heavy_rps = kNaN, heavy_p99_ms = kNaN, hi_p99_ms = kNaN;  // means over repeats
  double hi_p99_ci_ms = kNaN;  // half-width of the 95% t interval of hi_p99_ms (>= 2 repeats)
  std::uint64_t rejected = 0, errors = 0;  // summed
  unsigned repeats = 0, invalid = 0;
};

struct Responsive {
  std::optional<CurvePoint> at;  // none: even the lowest level failed (or none ran)
  double hi_unloaded_p99_ms = kNaN;
  std::string why;  // a line on how it was decided
};

// A configuration's points in ascending offered rate, averaged over repeats.
std::vector<CurvePoint> curve_of(const std::vector<LevelPoint>& points, std::size_t config);

// `unloaded_p99_ms`: its probe-only p99 in each level run (NaN where not measured).
Responsive responsive_capacity(const std::vector<CurvePoint>& curve,
                               const std::vector<double>& unloaded_p99_ms, double knee_factor);

// 95% Student-t half-width of the mean of `values` (NaN values ignored); NaN below 2 values.
double t_half_width(const std::vector<double>& values);
double mean_of(const std::vector<double>& values);  // NaN values ignored; NaN if none

}  // namespace bench
