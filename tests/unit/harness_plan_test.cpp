// What an experiment will run: configurations from the sweep lists, repeats interleaved,
// the job-cost step only in each configuration's first run.
#include <gtest/gtest.h>

#include <algorithm>

#include "experiment/plan.hpp"
#include "harness_strategy_fixture.hpp"

namespace {

TEST(PlanTest, SweepsStrategiesSizesAndWorkersWithInlineOncePerSize) {
  bench::ExperimentOptions o;
  o.strategies = {"inline", "process"};
  o.fibs = {20, 30};
  o.workers = {1, 2};
  o.repeats = 2;
  const bench::Plan plan = bench::make_plan(o, testfixture::strategies());
  std::vector<std::string> labels;
  for (const auto& c : plan.configs) labels.push_back(c.label);
  EXPECT_EQ(labels,
            (std::vector<std::string>{"inline-fib20-w1", "inline-fib30-w1", "process-fib20-w1",
                                      "process-fib20-w2", "process-fib30-w1", "process-fib30-w2"}));
  ASSERT_EQ(plan.runs.size(), 12u);
  // Repeats interleave: every configuration once per round, rounds in order; each round's
  // order is shuffled, so no configuration always runs first.
  for (std::size_t round = 0; round < 2; ++round) {
    std::vector<std::size_t> seen;
    for (std::size_t i = 0; i < 6; ++i) {
      const auto& r = plan.runs[round * 6 + i];
      EXPECT_EQ(r.repeat, round + 1);
      EXPECT_EQ(r.calibrate, round == 0);
      seen.push_back(r.config);
    }
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5}));
  }
}

TEST(PlanTest, EachRoundIsShuffledBySeedTheSameWayForTheSameSeed) {
  bench::ExperimentOptions o;
  o.strategies = {"inline", "thread", "process", "uvpool"};
  o.fibs = {20, 25, 30};
  o.workers = {2};
  o.repeats = 3;
  auto order = [&](std::uint64_t seed) {
    o.seed = seed;
    std::vector<std::size_t> configs;
    for (const auto& r : bench::make_plan(o, testfixture::strategies()).runs)
      configs.push_back(r.config);
    return configs;
  };
  EXPECT_EQ(order(1), order(1));
  EXPECT_NE(order(1), order(2));
  const auto runs = order(1);  // 12 configurations: three rounds in one order is 1 in 12!^2
  EXPECT_FALSE(std::equal(runs.begin(), runs.begin() + 12, runs.begin() + 12) &&
               std::equal(runs.begin(), runs.begin() + 12, runs.begin() + 24));
}

TEST(PlanTest, WithLoadLevelsCapacityRunsComeFirstThenLevelRunsPerRepeat) {
  bench::ExperimentOptions o;
  o.strategies = {"inline", "thread"};
  o.workers = {2};
  o.repeats = 2;
  o.phase_s = 2;
  o.idle_s = 1;
  o.calibrate_s = 1;
  ASSERT_EQ(bench::parse_load_levels("50%,10%,100rps", o.levels), "");
  const bench::Plan plan = bench::make_plan(o, testfixture::strategies());
  ASSERT_EQ(plan.runs.size(), 6u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(plan.runs[i].config, i);
    EXPECT_EQ(plan.runs[i].repeat, 0u);
    EXPECT_TRUE(plan.runs[i].calibrate);
    EXPECT_FALSE(plan.runs[i].levels);
  }
  for (std::size_t i = 2; i < 6; ++i) {
    EXPECT_EQ(plan.runs[i].repeat, i < 4 ? 1u : 2u);
    EXPECT_FALSE(plan.runs[i].calibrate);
    EXPECT_TRUE(plan.runs[i].levels);
  }
  std::vector<std::string> phases;
  std::vector<int> levels;
  for (const auto& s : plan.steps(plan.runs[2], {1, 0, 2})) {
    phases.push_back(s.phase);
    levels.push_back(s.level);
    if (s.phase == "load") {
      EXPECT_TRUE(s.heavy && s.probe && !s.calibrate);
    }
  }
  EXPECT_EQ(phases, (std::vector<std::string>{"idle-before", "probe-only", "load", "load", "load",
                                              "idle-after"}));
  EXPECT_EQ(levels, (std::vector<int>{-1, -1, 1, 0, 2, -1}));
  // 2 capacity runs x (1 + 1 + 2 + 2 + 2 + 1 + 1) + 4 level runs x (1 + 2 + 3 x 2 + 1 + 1)
  EXPECT_DOUBLE_EQ(plan.seconds_from(0), 2 * 10 + 4 * 11);
}

TEST(PlanTest, StepsFollowThePhasesWithTheJobCostBeforeTheProbe) {
  bench::ExperimentOptions o;
  o.phase_s = 4;
  o.idle_s = 1;
  o.calibrate_s = 1.5;
  o.workers = {2};
  o.repeats = 1;
  const bench::Plan plan = bench::make_plan(o, testfixture::strategies());
  std::vector<std::string> phases;
  for (const auto& s : plan.steps(plan.runs[0])) phases.push_back(s.phase);
  EXPECT_EQ(phases, (std::vector<std::string>{"idle-before", "calibrate", "probe-only",
                                              "heavy-only", "heavy+probe", "idle-after"}));
  const auto steps = plan.steps(plan.runs[0]);
  EXPECT_TRUE(steps[1].calibrate && steps[1].heavy && !steps[1].probe);
  EXPECT_TRUE(steps[4].heavy && steps[4].probe);
  // 3 runs x (1 + 1.5 + 4 + 4 + 4 + 1 + 1 s overhead)
  EXPECT_DOUBLE_EQ(plan.seconds_from(0), 3 * 16.5);
}

TEST(PlanTest, GpgConfigurationsAreNamedByPayload) {
  bench::ExperimentOptions o;
  o.strategies = {"thread"};
  o.workload = "gpg";
  o.payloads = {4096, 1 << 20};
  o.workers = {2};
  const bench::Plan plan = bench::make_plan(o, testfixture::strategies());
  ASSERT_EQ(plan.configs.size(), 2u);
  EXPECT_EQ(plan.configs[0].label, "thread-gpg4k-w2");
  EXPECT_EQ(plan.configs[1].label, "thread-gpg1m-w2");
  EXPECT_EQ(plan.configs[1].payload, 1u << 20);
  EXPECT_EQ(plan.configs[1].workload, "gpg");
}

}  // namespace
