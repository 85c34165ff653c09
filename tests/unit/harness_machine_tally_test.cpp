// A phase's machine figures from its windows: sums, the merged sentinel histogram, and
// foreign CPU from the phase's CPU totals.
#include <gtest/gtest.h>

#include "sample/machine_tally.hpp"

namespace {

bench::MachineDelta window(double busy_pct, double harness_pct, double steal_ms, long invol) {
  bench::MachineDelta d;
  d.elapsed_s = 0.5;
  d.machine_busy_pct = busy_pct;
  d.harness_cpu_pct = harness_pct;
  d.steal_ms = steal_ms;
  d.harness_invol_cs = static_cast<std::uint64_t>(invol);
  return d;
}

bench::StallReading stalls(std::initializer_list<std::uint64_t> us) {
  bench::StallReading r;
  for (auto v : us) r.oversleep_us.record(v);
  return r;
}

TEST(MachineTallyTest, WindowsAndThePhaseTotal) {
  bench::MachineTally tally;
  // Window 1: busy 130%, server 100%, harness 20%: foreign 10%. Window 2: tick rounding
  // shows busy under the two sides (foreign clamps to 0 for the window).
  const auto w1 = tally.add(window(130, 20, 10, 3), stalls({50, 80, 2000}), 100);
  EXPECT_DOUBLE_EQ(w1.foreign_cpu_pct, 10);
  EXPECT_DOUBLE_EQ(w1.steal_ms, 10);
  EXPECT_DOUBLE_EQ(w1.stall_max_ms, 2);
  EXPECT_EQ(w1.harness_invol_cs, 3u);
  const auto w2 = tally.add(window(112, 20, 0, 4), stalls({60, 70}), 100);
  EXPECT_DOUBLE_EQ(w2.foreign_cpu_pct, 0);
  EXPECT_DOUBLE_EQ(w2.stall_max_ms, 0.07);
  // The phase: 1.21 core-s busy, 1.0 server, 0.2 harness over 1 s: 1% foreign (the second
  // window's -8% offsets the first's +10%, not clamped away).
  const auto t = tally.total();
  EXPECT_DOUBLE_EQ(t.seconds, 1);
  EXPECT_DOUBLE_EQ(t.steal_ms, 10);
  EXPECT_EQ(t.harness_invol_cs, 7u);
  EXPECT_NEAR(t.foreign_cpu_pct, 1, 1e-9);
  EXPECT_DOUBLE_EQ(t.stall_max_ms, 2);
  EXPECT_DOUBLE_EQ(t.stall_p99_ms, 2);  // 5 wake-ups: the p99 is the largest
}

TEST(MachineTallyTest, AnEmptyTallyIsZero) {
  const auto t = bench::MachineTally().total();
  EXPECT_EQ(t.seconds, 0);
  EXPECT_EQ(t.foreign_cpu_pct, 0);
  EXPECT_EQ(t.stall_max_ms, 0);
}

}  // namespace
