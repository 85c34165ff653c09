// Scheduling knobs: CPU lists parsed and printed, and a knob the kernel refuses reported with
// its name instead of silently ignored.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "sched_knobs.hpp"

namespace {

TEST(CpuList, ParsesRangesAndSingles) {
  if (sysconf(_SC_NPROCESSORS_CONF) < 2) GTEST_SKIP() << "needs 2 CPUs";
  std::vector<int> cpus;
  EXPECT_EQ(offload::parse_cpu_list("1", cpus), "");
  EXPECT_EQ(cpus, std::vector<int>{1});
  EXPECT_EQ(offload::parse_cpu_list("0-1,1,0", cpus), "");
  EXPECT_EQ(cpus, (std::vector<int>{0, 1}));
  EXPECT_EQ(offload::format_cpu_list({0, 1, 2, 5, 7, 8}), "0-2,5,7-8");
}

TEST(CpuList, RefusesWhatIsNotACpuOfThisMachine) {
  std::vector<int> cpus;
  for (const char* bad : {"", "a", "1-", "-1", "3-1", "0,,1", "4096", "1.5"})
    EXPECT_NE(offload::parse_cpu_list(bad, cpus), "") << bad;
}

TEST(SchedKnobs, AppliedToTheCallingThreadOnly) {
  std::string err;
  std::thread t([&] { err = offload::apply_to_this_thread({3, "batch", {}}); });
  t.join();
  EXPECT_EQ(err, "");
  EXPECT_EQ(getpriority(PRIO_PROCESS, 0), 0) << "the test's own thread is untouched";
}

TEST(SchedKnobs, ARefusedKnobIsNamed) {
  // A process without CAP_SYS_NICE may not lower its niceness: drop to nobody when root.
  const pid_t child = fork();
  if (child == 0) {
    if (getuid() == 0 && setuid(65534) != 0) _exit(2);
    const std::string err = offload::apply_to_this_thread({-5, "normal", {}});
    _exit(err.find("nice -5 refused") != std::string::npos ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
