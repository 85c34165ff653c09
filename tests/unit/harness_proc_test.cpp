// Parsing /proc for the resource samples, on fixed text (no process is started here).
#include <gtest/gtest.h>

#include "sample/proc_stat.hpp"

namespace {

TEST(ProcStatTest, ParsesFieldsAfterACommandNameWithSpacesAndParentheses) {
  const std::string line =
      "4242 (offload (srv) x) S 4000 4242 4000 0 -1 4194560 1200 0 0 0 "
      "150 25 0 0 20 0 3 0 987654 123456789 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 "
      "0 17 1 0 0 0 0 0";
  const auto s = bench::parse_process_stat(line);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->pid, 4242);
  EXPECT_EQ(s->ppid, 4000);
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->cpu_ticks, 175u);  // utime 150 + stime 25
  EXPECT_EQ(s->threads, 3);
  EXPECT_EQ(s->start_ticks, 987654u);
  EXPECT_EQ(s->rss_pages, 2048);
  EXPECT_FALSE(bench::parse_process_stat("garbage").has_value());
  EXPECT_FALSE(bench::parse_process_stat("12 (short) S 1 2").has_value());
}

TEST(ProcStatTest, MachineCpuCountsIdleAndIowaitAsIdle) {
  const auto m =
      bench::parse_machine_cpu("cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 50 2 25 400 20 1 1 0 0 0\n");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->total, 1000u);
  EXPECT_EQ(m->busy, 160u);
  EXPECT_FALSE(bench::parse_machine_cpu("intr 1 2 3").has_value());
}

TEST(ProcStatTest, MeminfoFieldsInKilobytes) {
  const std::string text =
      "MemTotal:       24683656 kB\nMemFree:  100 kB\nMemAvailable:   2000 kB\n";
  EXPECT_EQ(bench::parse_meminfo_kb(text, "MemTotal").value(), 24683656u);
  EXPECT_EQ(bench::parse_meminfo_kb(text, "MemAvailable").value(), 2000u);
  EXPECT_FALSE(bench::parse_meminfo_kb(text, "Mem").has_value());
}

}  // namespace
