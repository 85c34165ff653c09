// The validity rules: each warning is raised on one side of its threshold and not on the
// other, from a row that is otherwise clean.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "experiment/validity.hpp"

namespace {

namespace v = bench::validity;

// A clean open-loop probe row: 2000 samples, p99 4 ms, on time, a quiet machine.
v::RowFigures clean() {
  v::RowFigures r;
  r.reported_ms = 4;
  r.samples = 2000;
  r.open_loop = true;
  r.requests_due = 2000;
  r.sent_in_run = 2000;
  r.lateness_p99_ms = 0.1;
  r.phase_s = 10;
  r.cpus = 2;
  r.stall_max_ms = 0.5;
  r.steal_ms = 0;
  r.foreign_cpu_pct = 1;
  r.check_iid = true;
  r.lag1_autocorr = 0.01;
  r.lag1_samples = 2000;
  r.poisson_arrivals = true;
  r.poisson_a2 = 0.5;
  return r;
}

std::vector<std::string> warn(const v::RowFigures& r) {
  return v::row_warnings(r);
}

std::vector<std::string> just(const char* name) {
  return {name};
}

TEST(ValidityTest, ACleanRowHasNoWarning) {
  EXPECT_EQ(warn(clean()), std::vector<std::string>{});
}

TEST(ValidityTest, RateOffByMoreThanOnePercent) {
  auto r = clean();
  r.sent_in_run = 1981;  // 0.95% short
  EXPECT_EQ(warn(r), std::vector<std::string>{});
  r.sent_in_run = 1979;  // 1.05% short
  EXPECT_EQ(warn(r), just("rate"));
  r.sent_in_run = 2021;  // 1.05% over
  EXPECT_EQ(warn(r), just("rate"));
  r.open_loop = false;  // a closed loop has no asked rate
  r.lateness_p99_ms = bench::validity::kNaN;
  r.poisson_arrivals = false;
  EXPECT_EQ(warn(r), std::vector<std::string>{});
}

TEST(ValidityTest, ClientLateAboveTenPercentOfP99OrOneMillisecond) {
  auto r = clean();
  r.lateness_p99_ms = 0.39;  // under 10% of 4 ms
  EXPECT_EQ(warn(r), std::vector<std::string>{});
  r.lateness_p99_ms = 0.41;
  EXPECT_EQ(warn(r), just("client-late"));
  r.reported_ms = 40;  // 10% is 4 ms now, but 1.01 ms is over the absolute limit
  r.lateness_p99_ms = 0.99;
  EXPECT_EQ(warn(r), std::vector<std::string>{});
  r.lateness_p99_ms = 1.01;
  EXPECT_EQ(warn(r), just("client-late"));
}

TEST(ValidityTest, MachineStallWhenTheSentinelReachesTheP99) {
  auto r = clean();
  r.stall_max_ms = 3.9;
  EXPECT_EQ(warn(r), std::vector<std::string>{});
  r.stall_max_ms = 4.0;  // "reaches"
  EXPECT_EQ(warn(r), just("machine-stall"));
}

TEST(ValidityTest, MachineStallNeedsAtLeastOneMillisecondUnderAFastP99) {
  auto r = clean();
  r.reported_ms = 0.2;  // a fast probe: the VM's usual 0.1-0.5 ms timer lateness is no stall
  r.lateness_p99_ms = 0.01;
  r.stall_max_ms = 0.99;
  EXPECT_EQ(warn(r), std::vector<std::string>{});
  r.stall_max_ms = 1.0;
  EXPECT_EQ(warn(r), just("machine-stall"));
}

TEST(ValidityTest, MachineStallWhenStealExceedsOnePercentOfThePhaseCpuTime) {
  auto r = clean();  // 10 s x 2 CPUs: 1% is 200 ms
  r.steal_ms = 200;
  EXPECT_EQ(warn(r), std::vector<std::string>{});
  r.steal_ms = 210;
  EXPECT_EQ(warn(r), just("machine-stall"));
  r.has_stream = false;  // idle rows get the machine rules too
  EXPECT_EQ(warn(r), just("machine-stall"));
}

TEST(ValidityTest, MachineBusyAboveFivePercentForeignCpu) {
  auto r = clean();
  r.foreign_cpu_pct = 5;
  EXPECT_EQ(warn(r), std::vector<std::string>{});
  r.foreign_cpu_pct = 5.5;
  EXPECT_EQ(warn(r), just("machine-busy"));
}

TEST(ValidityTest, SamplesWhenTheP99HasNoUpperBound) {
  // The upper bound X(u), u <= n, needs P(B <= n - 1) = 1 - 0.99^n >= 0.975, i.e.
  // n >= ln 0.025 / ln 0.99 = 367.04: from 368 samples.
  auto r = clean();
  r.samples = 368;
  EXPECT_EQ(warn(r), std::vector<std::string>{});
  r.samples = 367;
  EXPECT_EQ(warn(r), just("samples"));
  r.samples = 0;
  EXPECT_EQ(warn(r), just("samples"));
}

TEST(ValidityTest, IidBeyondPointTwoWithEnoughSamplesWhereChecked) {
  auto r = clean();
  r.lag1_autocorr = 0.19;
  EXPECT_EQ(warn(r), std::vector<std::string>{});
  r.lag1_autocorr = -0.21;
  EXPECT_EQ(warn(r), just("iid"));
  r.lag1_samples = 200;  // too few to tell 0.21 from noise
  EXPECT_EQ(warn(r), std::vector<std::string>{});
  r.lag1_samples = 2000;
  r.check_iid = false;  // a stream beside other load: its queue correlates neighbours
  EXPECT_EQ(warn(r), std::vector<std::string>{});
}

TEST(ValidityTest, PoissonWhenAndersonDarlingRejects) {
  auto r = clean();
  r.poisson_a2 = 1.34;
  EXPECT_EQ(warn(r), std::vector<std::string>{});
  r.poisson_a2 = 1.35;
  EXPECT_EQ(warn(r), just("poisson"));
  r.poisson_arrivals = false;  // a fixed schedule is not meant to be Poisson
  EXPECT_EQ(warn(r), std::vector<std::string>{});
}

TEST(ValidityTest, SeveralWarningsComeInTableOrderAndJoinWithSemicolons) {
  auto r = clean();
  r.poisson_a2 = 9;
  r.foreign_cpu_pct = 50;
  r.sent_in_run = 100;
  const auto w = warn(r);
  EXPECT_EQ(w, (std::vector<std::string>{"rate", "machine-busy", "poisson"}));
  EXPECT_EQ(v::join(w), "rate;machine-busy;poisson");
  EXPECT_EQ(v::join({}), "");
}

TEST(ValidityTest, StalledWindowAtOneMillisecondOrOnePercentSteal) {
  EXPECT_FALSE(v::window_stalled(0.99, 0, 0.5, 2));
  EXPECT_TRUE(v::window_stalled(1.0, 0, 0.5, 2));
  // 0.5 s x 2 CPUs: 1% is 10 ms of steal.
  EXPECT_FALSE(v::window_stalled(0.2, 10, 0.5, 2));
  EXPECT_TRUE(v::window_stalled(0.2, 20, 0.5, 2));
  EXPECT_FALSE(v::window_stalled(bench::validity::kNaN, bench::validity::kNaN, 0.5, 2));
}

TEST(ValidityTest, DriftWhenSomeTwoRepeatsIntervalsDoNotOverlap) {
  using E = v::RepeatEstimate;
  const std::vector<E> overlapping = {{5, 4, 6}, {6.5, 5.5, 8}, {5.2, 4.9, 5.6}};
  EXPECT_FALSE(v::drifted(overlapping));
  const std::vector<E> apart = {{5, 4, 6}, {6.5, 5.5, 8}, {7.5, 6.1, 9}};  // 1st vs 3rd
  EXPECT_TRUE(v::drifted(apart));
  // An open side (too few samples for that bound) cannot disagree.
  const std::vector<E> open = {{5, 4, 6}, {9, bench::validity::kNaN, 12}};
  EXPECT_FALSE(v::drifted(open));
  EXPECT_FALSE(v::drifted(std::vector<E>{{5, 4, 6}}));
}

TEST(ValidityTest, StreamFiguresComeFromWhatTheStreamRecorded) {
  bench::StreamStats s;
  s.open_schedule(1'000'000'000);
  // 400 requests due every 2.5 ms, sent 0.2 ms late, answered in 1 ms (the last 5 in 9 ms).
  for (std::uint64_t i = 0; i < 400; ++i) {
    const std::uint64_t due = i * 2'500'000;
    s.due();
    s.sent(due, due + 200'000);
    s.success(due + (i >= 395 ? 9'000'000 : 1'000'000), due, due + 200'000);
  }
  const auto r = v::stream_figures(s, true);
  EXPECT_EQ(r.samples, 400u);
  EXPECT_NEAR(r.reported_ms, 9, 0.05);  // rank 396 of 400, a bucket midpoint
  EXPECT_TRUE(r.open_loop);
  EXPECT_EQ(r.requests_due, 400u);
  EXPECT_EQ(r.sent_in_run, 400u);
  EXPECT_DOUBLE_EQ(r.lateness_p99_ms, 0.2);
  EXPECT_EQ(r.lag1_samples, 400u);
  EXPECT_GT(r.lag1_autocorr, 0.5);                            // the slow five are neighbours
  EXPECT_GT(r.poisson_a2, 1.341);                             // equal gaps are not Poisson
  EXPECT_EQ(warn(r), (std::vector<std::string>{"poisson"}));  // check_iid is the runner's

  bench::StreamStats closed;
  closed.sent(0, 0);
  closed.success(1'000'000, 0, 0);
  const auto c = v::stream_figures(closed, false);
  EXPECT_FALSE(c.open_loop);
  EXPECT_TRUE(std::isnan(c.lateness_p99_ms));
  EXPECT_TRUE(std::isnan(c.reported_ms));  // one sample: no p99
  EXPECT_EQ(warn(c), (std::vector<std::string>{"samples"}));
}

TEST(ValidityTest, ThresholdsRenderHelpAndJsonFromOneTable) {
  const std::string help = v::help_text();
  const std::string json = v::thresholds_json();
  for (const auto& t : v::thresholds()) {
    EXPECT_NE(help.find(std::string(t.name)), std::string::npos) << t.name;
    EXPECT_NE(json.find("\"" + std::string(t.name) + "\":"), std::string::npos) << t.name;
  }
  for (const char* w : {"rate", "client-late", "machine-stall", "machine-busy", "samples", "iid",
                        "poisson", "drift"})
    EXPECT_NE(help.find(w), std::string::npos) << w;
  EXPECT_NE(json.find("\"rate_off_pct\": 1,"), std::string::npos) << json;
}

}  // namespace
