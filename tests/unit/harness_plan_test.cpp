// What an experiment will run: configurations from the sweep lists, repeats interleaved,
// the job-cost step only in each configuration's first run.
#include <gtest/gtest.h>

#include "experiment/plan.hpp"

namespace {

TEST(PlanTest, SweepsStrategiesSizesAndWorkersWithInlineOncePerSize) {
  bench::ExperimentOptions o;
  o.strategies = {"inline", "process"};
  o.fibs = {20, 30};
  o.workers = {1, 2};
  o.repeats = 2;
  const bench::Plan plan = bench::make_plan(o);
  std::vector<std::string> labels;
  for (const auto& c : plan.configs) labels.push_back(c.label);
  EXPECT_EQ(labels,
            (std::vector<std::string>{"inline-fib20-w1", "inline-fib30-w1", "process-fib20-w1",
                                      "process-fib20-w2", "process-fib30-w1", "process-fib30-w2"}));
  ASSERT_EQ(plan.runs.size(), 12u);
  // Repeats interleave: every configuration once, then every configuration again.
  EXPECT_EQ(plan.runs[0].config, 0u);
  EXPECT_EQ(plan.runs[5].config, 5u);
  EXPECT_EQ(plan.runs[6].config, 0u);
  EXPECT_EQ(plan.runs[6].repeat, 2u);
  EXPECT_TRUE(plan.runs[0].calibrate);
  EXPECT_FALSE(plan.runs[6].calibrate);
}

TEST(PlanTest, StepsFollowThePhasesWithTheJobCostBeforeTheProbe) {
  bench::ExperimentOptions o;
  o.phase_s = 4;
  o.idle_s = 1;
  o.calibrate_s = 1.5;
  o.workers = {2};
  const bench::Plan plan = bench::make_plan(o);
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
  const bench::Plan plan = bench::make_plan(o);
  ASSERT_EQ(plan.configs.size(), 2u);
  EXPECT_EQ(plan.configs[0].label, "thread-gpg4k-w2");
  EXPECT_EQ(plan.configs[1].label, "thread-gpg1m-w2");
  EXPECT_EQ(plan.configs[1].payload, 1u << 20);
  EXPECT_EQ(plan.configs[1].workload, "gpg");
}

}  // namespace
