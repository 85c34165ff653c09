// The validity checks end to end: a real experiment run while the test's StallInjector holds
// every CPU for 30 ms once a second (real-time busy loops: what a hypervisor's steal or a
// real-time hog does to a VM). The windows a burst falls in are marked `stalled`, and the
// summary rows it hits carry `machine-stall` (the sentinel's worst oversleep reached their
// p99) and are not valid. Bursts a second apart touch about 3% of the probe's requests, so
// its p99 lies inside the bursts' delays, below their longest: the rule's own condition.
// Runs alone (RUN_SERIAL, with the timing tests): the injector stops every other test too.
#include <gtest/gtest.h>

#include <chrono>
#include <map>

#include "results_dir_test.hpp"
#include "server_process.hpp"
#include "stall_injector.hpp"

namespace {

using namespace std::chrono_literals;
using testsupport::exit_code;
using testsupport::read_csv;

class ValidityRunTest : public testsupport::ResultsDirTest {};

TEST_F(ValidityRunTest, InjectedStallsMarkTheWindowsAndRowsTheyHit) {
  testsupport::StallInjector injector({30ms, 1000ms, 40000ms});
  if (const std::string why = injector.start(); !why.empty()) GTEST_SKIP() << why;
  const std::vector<std::string> args = {"experiment",
                                         "--server",
                                         OFFLOAD_SERVER,
                                         "--strategies",
                                         "thread",
                                         "--workers",
                                         "1",
                                         "--fib",
                                         "20",
                                         "--load",
                                         "none",
                                         "--repeats",
                                         "1",
                                         "--phase",
                                         "2.5",
                                         "--idle",
                                         "0.5",
                                         "--calibrate",
                                         "0.3",
                                         "--probe-rate",
                                         "200",
                                         "--heavy-conns",
                                         "1",
                                         "--results",
                                         results_.string(),
                                         "--quiet"};
  const auto r = testsupport::run_program(OFFLOAD_BENCH, args, {}, 60s);
  injector.stop();
  ASSERT_EQ(exit_code(r.status), 0) << r.output;
  ASSERT_GE(injector.bursts(), 5) << "the injector did not run its bursts";
  unsigned stalled = 0, windows = 0;
  for (const auto& row : read_csv(latest() / "series.csv")) {
    ++windows;
    stalled += row.at("stalled") == "1" ? 1 : 0;
  }
  ASSERT_GT(windows, 0u);
  EXPECT_GT(stalled, 0u) << "no window was marked stalled under injected stalls";
  // The unloaded probe: nothing but the bursts delays it.
  bool probe_row = false;
  for (const auto& row : read_csv(latest() / "summary.csv")) {
    if (row.at("phase") != "probe-only" || row.at("stream") != "probe") continue;
    probe_row = true;
    EXPECT_GE(std::stod(row.at("stall_max_ms")), 20.0) << "the sentinel missed the bursts";
    EXPECT_NE(row.at("warnings").find("machine-stall"), std::string::npos)
        << "p99 " << row.at("p99_ms") << " ms, sentinel max " << row.at("stall_max_ms")
        << " ms, warnings " << row.at("warnings");
    EXPECT_EQ(row.at("valid"), "no");
    EXPECT_GT(std::stoul(row.at("stalled_windows")), 0u);
  }
  EXPECT_TRUE(probe_row);
  EXPECT_NE(r.output.find("validity: "), std::string::npos) << r.output;
}

}  // namespace
