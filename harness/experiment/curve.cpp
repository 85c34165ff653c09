#include "experiment/curve.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "stats/t_interval.hpp"

namespace bench {

namespace {

std::string ms_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g ms", v);
  return buf;
}

std::string factor_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

double mean_of(const std::vector<double>& values) {
  double sum = 0;
  std::size_t n = 0;
  for (double v : values)
    if (!std::isnan(v)) sum += v, ++n;
  return n ? sum / static_cast<double>(n) : kNaN;
}

double t_half_width(const std::vector<double>& values) {
  std::vector<double> known;
  for (double x : values)
    if (!std::isnan(x)) known.push_back(x);
  if (known.size() < 2) return kNaN;
  return mean_interval(known).half_width;
}

std::vector<CurvePoint> curve_of(const std::vector<LevelPoint>& points, std::size_t config) {
  std::map<std::size_t, std::vector<const LevelPoint*>> by_level;
  for (const auto& p : points)
    if (p.config == config) by_level[p.level].push_back(&p);
  std::vector<CurvePoint> curve;
  for (const auto& [level, ps] : by_level) {
    CurvePoint c;
    c.level = level;
    c.label = ps.front()->label;
    std::vector<double> offered, pct, heavy, heavy_p99, hi;
    for (const LevelPoint* p : ps) {
      offered.push_back(p->offered_rps);
      pct.push_back(p->offered_pct);
      heavy.push_back(p->heavy_rps);
      heavy_p99.push_back(p->heavy_p99_ms);
      hi.push_back(p->hi_p99_ms);
      c.rejected += p->rejected;
      c.errors += p->errors;
      c.invalid += p->valid ? 0 : 1;
      ++c.repeats;
    }
    c.offered_rps = mean_of(offered);
    c.offered_pct = mean_of(pct);
    c.heavy_rps = mean_of(heavy);
    c.heavy_p99_ms = mean_of(heavy_p99);
    c.hi_p99_ms = mean_of(hi);
    c.hi_p99_ci_ms = t_half_width(hi);
    curve.push_back(c);
  }
  std::stable_sort(curve.begin(), curve.end(), [](const CurvePoint& a, const CurvePoint& b) {
    return a.offered_rps < b.offered_rps;
  });
  return curve;
}

Responsive responsive_capacity(const std::vector<CurvePoint>& curve,
                               const std::vector<double>& unloaded_p99_ms, double knee_factor) {
  Responsive r;
  r.hi_unloaded_p99_ms = mean_of(unloaded_p99_ms);
  if (std::isnan(r.hi_unloaded_p99_ms)) {
    r.why = "no unloaded /hi p99 to compare with";
    return r;
  }
  if (curve.empty()) {
    r.why = "no load level was measured";
    return r;
  }
  const double limit = knee_factor * r.hi_unloaded_p99_ms;
  for (const auto& point : curve) {
    if (std::isnan(point.hi_p99_ms)) {
      r.why = "/hi p99 not measured at " + point.label + " (too few answers)";
      break;
    }
    if (point.hi_p99_ms > limit) {
      r.why = "/hi p99 " + ms_text(point.hi_p99_ms) + " at " + point.label + " > " +
              ms_text(limit) + " (" + factor_text(knee_factor) + " x unloaded " +
              ms_text(r.hi_unloaded_p99_ms) + ")";
      break;
    }
    r.at = point;
  }
  if (r.at && r.why.empty()) r.why = "within the limit at every level measured";
  return r;
}

}  // namespace bench
