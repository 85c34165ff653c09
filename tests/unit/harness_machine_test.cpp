// The machine figures recorded beside the measurements: /proc/stat's CPU times, the
// steal/busy/harness arithmetic, foreign CPU, SMT from /proc/cpuinfo, the stall sentinel.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "experiment/machine.hpp"
#include "sample/cpu_times.hpp"
#include "sample/machine_sampler.hpp"
#include "sample/stall_sentinel.hpp"

namespace {

TEST(CpuTimesTest, ReadsEveryFieldOfTheAggregateLine) {
  const auto t = bench::parse_cpu_times(
      "cpu  48678 349 9981 55247 1280 7 722 952 30 2\n"
      "cpu0 24000 100 5000 27000 600 3 400 500 0 0\n");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->user, 48678u);
  EXPECT_EQ(t->nice, 349u);
  EXPECT_EQ(t->system, 9981u);
  EXPECT_EQ(t->idle, 55247u);
  EXPECT_EQ(t->iowait, 1280u);
  EXPECT_EQ(t->irq, 7u);
  EXPECT_EQ(t->softirq, 722u);
  EXPECT_EQ(t->steal, 952u);
  // Busy: user + nice + system + irq + softirq; not idle, iowait, steal, nor guest again.
  EXPECT_EQ(t->busy(), 48678u + 349 + 9981 + 7 + 722);
}

TEST(CpuTimesTest, OldKernelsWithoutStealAndBadText) {
  const auto t = bench::parse_cpu_times("cpu  10 0 5 100\n");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->steal, 0u);
  EXPECT_EQ(t->busy(), 15u);
  EXPECT_FALSE(bench::parse_cpu_times("cpu0 10 0 5 100\n"));
  EXPECT_FALSE(bench::parse_cpu_times("cpu  10 0\n"));
  EXPECT_FALSE(bench::parse_cpu_times(""));
}

rusage usage(long user_us, long sys_us, long invol) {
  rusage r{};
  r.ru_utime.tv_sec = user_us / 1'000'000;
  r.ru_utime.tv_usec = user_us % 1'000'000;
  r.ru_stime.tv_sec = sys_us / 1'000'000;
  r.ru_stime.tv_usec = sys_us % 1'000'000;
  r.ru_nivcsw = invol;
  return r;
}

TEST(MachineDeltaTest, StealBusyAndHarnessOverHalfASecond) {
  bench::CpuTimes a{1000, 10, 200, 5000, 30, 1, 4, 100};
  bench::CpuTimes b = a;
  b.user += 40;    // 400 ms
  b.system += 9;   // 90 ms
  b.softirq += 1;  // 10 ms: busy 500 ms in 0.5 s = 100% of one core
  b.idle += 45;
  b.iowait += 3;  // not busy
  b.steal += 2;   // 20 ms
  const auto d = bench::machine_delta(a, b, usage(1'000'000, 200'000, 7),
                                      usage(1'150'000, 225'000, 19), 0.5, 100);
  EXPECT_DOUBLE_EQ(d.steal_ms, 20);
  EXPECT_DOUBLE_EQ(d.machine_busy_pct, 100);
  EXPECT_NEAR(d.harness_cpu_pct, 35, 1e-9);  // 175 ms of 500
  EXPECT_EQ(d.harness_invol_cs, 12u);
}

TEST(MachineDeltaTest, ForeignCpuIsWhatNeitherSideUsedClampedAtZero) {
  EXPECT_DOUBLE_EQ(bench::foreign_cpu_pct(150, 100, 30), 20);
  EXPECT_DOUBLE_EQ(bench::foreign_cpu_pct(120, 100, 30), 0);  // tick rounding, not a load
}

TEST(MachineSamplerTest, SamplesThisMachine) {
  bench::MachineSampler sampler;
  const auto d = sampler.sample();
  EXPECT_TRUE(d.cpu_readable);
  EXPECT_GE(d.elapsed_s, 0);
  EXPECT_GE(d.steal_ms, 0);
}

TEST(SmtTest, FromCpuinfoSiblingsAndCores) {
  EXPECT_EQ(bench::smt_from_cpuinfo("processor\t: 0\nsiblings\t: 4\ncore id\t\t: 0\n"
                                    "cpu cores\t: 2\n"),
            "on");
  EXPECT_EQ(bench::smt_from_cpuinfo("processor\t: 0\nsiblings\t: 2\ncpu cores\t: 2\n"), "off");
  EXPECT_EQ(bench::smt_from_cpuinfo("processor\t: 0\nmodel name\t: QEMU\n"), std::nullopt);
}

TEST(MachineJsonTest, HasGovernorAndSmtKeys) {
  const std::string j = bench::machine_json();
  EXPECT_NE(j.find("\"governor\":"), std::string::npos) << j;
  EXPECT_NE(j.find("\"smt\":"), std::string::npos) << j;
}

TEST(StallSentinelTest, CountsItsWakeUpsAndStartsAfreshAtEachTake) {
  bench::StallSentinel sentinel;
  std::uint64_t seen = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (seen < 20 && std::chrono::steady_clock::now() < deadline) {
    seen += sentinel.take().count();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling, not synchronising
  }
  EXPECT_GE(seen, 20u);
  // Wake-ups are at least a period apart, so a take sees at most (time since the previous
  // take) / 1 ms + 2 of them, however busy the machine: never the earlier periods' ones.
  const auto before = std::chrono::steady_clock::now();
  const auto a = sentinel.take();
  const auto b = sentinel.take();
  const double since_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - before).count();
  EXPECT_LE(static_cast<double>(b.count()), since_ms + 2);
  EXPECT_GE(a.max_ms(), a.p99_ms());
}

}  // namespace
