// The offered-load axis (--load, --load-basis), the responsive-capacity rule and the
// per-phase quantiles of the server's job histograms (differences of two scrapes).
#include <gtest/gtest.h>

#include <cmath>

#include "experiment/curve.hpp"
#include "experiment/load_grid.hpp"
#include "sample/prometheus.hpp"

namespace {

using bench::LoadLevel;

TEST(LoadGrid, ParsesFractionsAndAbsoluteRatesKeepingTheirLabels) {
  std::vector<LoadLevel> levels;
  ASSERT_EQ(bench::parse_load_levels("10%,120%,250rps,2.5%", levels), "");
  ASSERT_EQ(levels.size(), 4u);
  EXPECT_DOUBLE_EQ(levels[0].fraction, 0.10);
  EXPECT_FALSE(levels[0].absolute);
  EXPECT_DOUBLE_EQ(levels[1].fraction, 1.20);
  EXPECT_TRUE(levels[2].absolute);
  EXPECT_DOUBLE_EQ(levels[2].rps, 250);
  EXPECT_EQ(levels[3].label, "2.5%");
  EXPECT_EQ(levels[1].slug(), "120pct");
  EXPECT_EQ(levels[2].slug(), "250rps");
  ASSERT_EQ(bench::parse_load_levels("none", levels), "");
  EXPECT_TRUE(levels.empty());
}

TEST(LoadGrid, RefusesWhatIsNotALevelNamingTheRule) {
  std::vector<LoadLevel> levels;
  for (const char* bad :
       {"", "50", "0%", "-5%", "2000%", "0rps", "fast", "50%,,60%", "50%,50%", "x%", "1e9rps"})
    EXPECT_NE(bench::parse_load_levels(bad, levels), "") << bad;
  EXPECT_NE(bench::parse_load_levels("50%,50%", levels).find("twice"), std::string::npos);
  bench::LoadBasis basis;
  EXPECT_EQ(bench::parse_load_basis("own", basis), "");
  EXPECT_EQ(basis, bench::LoadBasis::own);
  EXPECT_NE(bench::parse_load_basis("min", basis), "");
}

TEST(LoadGrid, RatesComeFromTheBasisAndAbsoluteOnesIgnoreIt) {
  std::vector<LoadLevel> levels;
  ASSERT_EQ(bench::parse_load_levels("50%,300rps,10%", levels), "");
  EXPECT_DOUBLE_EQ(*bench::offered_rps(levels[0], 800), 400);
  EXPECT_DOUBLE_EQ(*bench::offered_rps(levels[1], 800), 300);
  EXPECT_FALSE(bench::offered_rps(levels[0], std::nan("")));  // capacity not measured
  EXPECT_FALSE(bench::offered_rps(levels[0], 0));
  EXPECT_DOUBLE_EQ(*bench::offered_rps(levels[1], std::nan("")), 300);
  // Ascending by rate: 10% (80), 300rps, 50% (400); unknown basis: the absolute one first.
  EXPECT_EQ(bench::ascending_levels(levels, 800), (std::vector<std::size_t>{2, 1, 0}));
  EXPECT_EQ(bench::ascending_levels(levels, std::nan("")), (std::vector<std::size_t>{1, 0, 2}));
}

bench::CurvePoint point(double offered, double hi_p99, const char* label) {
  bench::CurvePoint p;
  p.offered_rps = offered;
  p.hi_p99_ms = hi_p99;
  p.heavy_rps = offered;
  p.label = label;
  return p;
}

TEST(Knee, TheHighestLevelWithThisAndEveryLowerOneWithinTheFactor) {
  const std::vector<bench::CurvePoint> curve = {point(100, 0.3, "10%"), point(500, 0.39, "50%"),
                                                point(700, 0.41, "70%"), point(900, 0.2, "90%")};
  // Unloaded p99 0.2 ms: the limit is 0.4 ms; 70% crosses it; 90% is under again but
  // comes after the knee and does not count.
  auto r = bench::responsive_capacity(curve, {0.19, 0.21}, 2);
  ASSERT_TRUE(r.at);
  EXPECT_EQ(r.at->label, "50%");
  EXPECT_DOUBLE_EQ(r.hi_unloaded_p99_ms, 0.2);
  EXPECT_NE(r.why.find("70%"), std::string::npos);
  // A wider factor takes every level.
  r = bench::responsive_capacity(curve, {0.2}, 3);
  ASSERT_TRUE(r.at);
  EXPECT_EQ(r.at->label, "90%");
  // Even the lowest level too slow: none, with the reason.
  r = bench::responsive_capacity(curve, {0.1}, 2);
  EXPECT_FALSE(r.at);
  EXPECT_NE(r.why.find("10%"), std::string::npos);
  // A level whose /hi p99 was not measured stops the search: it cannot be called responsive.
  auto gap = curve;
  gap[1].hi_p99_ms = std::nan("");
  r = bench::responsive_capacity(gap, {0.2}, 2);
  ASSERT_TRUE(r.at);
  EXPECT_EQ(r.at->label, "10%");
  // Without an unloaded reference there is no answer.
  EXPECT_FALSE(bench::responsive_capacity(curve, {std::nan("")}, 2).at);
}

TEST(Knee, CurveAveragesRepeatsPerLevelInOrderOfOfferedRate) {
  std::vector<bench::LevelPoint> points;
  auto add = [&](std::size_t config, std::size_t level, double offered, double hi, bool valid) {
    bench::LevelPoint p;
    p.config = config;
    p.level = level;
    p.label = std::to_string(level);
    p.offered_rps = offered;
    p.hi_p99_ms = hi;
    p.rejected = 2;
    p.valid = valid;
    points.push_back(p);
  };
  add(0, 1, 500, 1.0, true);
  add(0, 0, 100, 0.2, true);
  add(0, 1, 500, 3.0, false);
  add(1, 0, 100, 9.0, true);  // another configuration: not mixed in
  const auto curve = bench::curve_of(points, 0);
  ASSERT_EQ(curve.size(), 2u);
  EXPECT_EQ(curve[0].level, 0u);
  EXPECT_DOUBLE_EQ(curve[1].hi_p99_ms, 2.0);
  EXPECT_EQ(curve[1].repeats, 2u);
  EXPECT_EQ(curve[1].invalid, 1u);
  EXPECT_EQ(curve[1].rejected, 4u);
  // Two values 1 and 3: mean 2, s = sqrt(2), t(0.975, 1) = 12.706 -> 12.706 * sqrt(2)/sqrt(2).
  EXPECT_NEAR(curve[1].hi_p99_ci_ms, 12.706, 1e-3);
  EXPECT_TRUE(std::isnan(curve[0].hi_p99_ci_ms));  // one repeat: no interval
}

TEST(HistogramDelta, QuantilesOfTheObservationsBetweenTwoScrapes) {
  const char* before =
      "# TYPE offload_job_service_seconds histogram\n"
      "offload_job_service_seconds_bucket{strategy=\"thread\",le=\"0.001\"} 10\n"
      "offload_job_service_seconds_bucket{strategy=\"thread\",le=\"0.002\"} 10\n"
      "offload_job_service_seconds_bucket{strategy=\"thread\",le=\"0.004\"} 10\n"
      "offload_job_service_seconds_bucket{strategy=\"thread\",le=\"+Inf\"} 10\n"
      "offload_job_service_seconds_sum{strategy=\"thread\"} 0.005\n"
      "offload_job_service_seconds_count{strategy=\"thread\"} 10\n";
  // 100 more: none under 1 ms, 98 in (1, 2] ms, 2 in (2, 4] ms.
  const char* after =
      "offload_job_service_seconds_bucket{strategy=\"thread\",le=\"0.001\"} 10\n"
      "offload_job_service_seconds_bucket{strategy=\"thread\",le=\"0.002\"} 108\n"
      "offload_job_service_seconds_bucket{strategy=\"thread\",le=\"0.004\"} 110\n"
      "offload_job_service_seconds_bucket{strategy=\"thread\",le=\"+Inf\"} 110\n"
      "offload_job_service_seconds_sum{strategy=\"thread\"} 0.165\n"
      "offload_job_service_seconds_count{strategy=\"thread\"} 110\n";
  const bench::Scrape a(bench::parse_prometheus(before)), b(bench::parse_prometheus(after));
  const auto d = bench::histogram_delta(a, b, "offload_job_service_seconds");
  EXPECT_DOUBLE_EQ(d.count, 100);
  EXPECT_DOUBLE_EQ(d.p50_ms, 2.0);    // rank 50 lies in (1, 2] ms: its upper bound
  EXPECT_DOUBLE_EQ(d.p99_ms, 4.0);    // rank 99 > 98: the next bucket
  EXPECT_NEAR(d.mean_ms, 1.6, 1e-9);  // (0.165 - 0.005) s / 100
  // Nothing observed between two equal scrapes, or no such histogram: no figures.
  EXPECT_TRUE(std::isnan(bench::histogram_delta(b, b, "offload_job_service_seconds").p99_ms));
  EXPECT_DOUBLE_EQ(bench::histogram_delta(a, b, "offload_job_nothing_seconds").count, 0);
  // A server restarted in between (another bucket layout) gives nothing, not nonsense.
  const bench::Scrape other(
      bench::parse_prometheus("offload_job_service_seconds_bucket{le=\"0.5\"} 1\n"
                              "offload_job_service_seconds_bucket{le=\"+Inf\"} 1\n"));
  EXPECT_DOUBLE_EQ(bench::histogram_delta(other, b, "offload_job_service_seconds").count, 0);
}

}  // namespace
