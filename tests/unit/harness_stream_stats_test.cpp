// What a stream records for the validity checks: latencies in completion order and an open
// loop's send gaps (bounded), the schedule's due count against what was sent in the run,
// and a p99 over chosen windows (p99_clean) from the windows' own histograms.
#include <gtest/gtest.h>

#include <vector>

#include "stats/stream_stats.hpp"

namespace {

using bench::StreamStats;

TEST(StreamStatsTest, KeepsLatenciesInCompletionOrder) {
  StreamStats s;
  s.success(5'000, 1'000, 1'000);  // 4 us
  s.success(3'000, 1'000, 2'000);  // 2 us (completion order, not send order)
  s.success(10'000, 0, 9'000);     // 10 us
  const auto seq = s.latency_sequence_us();
  ASSERT_EQ(seq.size(), 3u);
  EXPECT_EQ(seq[0], 4u);
  EXPECT_EQ(seq[1], 2u);
  EXPECT_EQ(seq[2], 10u);
  s.error("timeout");  // errors have no latency
  EXPECT_EQ(s.latency_sequence_us().size(), 3u);
}

TEST(StreamStatsTest, TheSequenceIsBounded) {
  StreamStats s;
  for (std::size_t i = 0; i < StreamStats::kSequenceLimit + 10; ++i) s.success(2'000, 1'000, 1'000);
  EXPECT_EQ(s.latency_sequence_us().size(), StreamStats::kSequenceLimit);
  EXPECT_EQ(s.count(), StreamStats::kSequenceLimit + 10);  // the histogram counts them all
}

TEST(StreamStatsTest, OpenLoopRecordsGapsBetweenActualSendsAndSendsInTheRun) {
  StreamStats s;
  s.open_schedule(10'000);
  for (int i = 0; i < 4; ++i) s.due();
  s.sent(1'000, 1'500);   // intended, actual
  s.sent(2'000, 2'100);   // gap 600 (actual times, not intended ones)
  s.sent(3'000, 6'000);   // gap 3900
  s.sent(4'000, 12'000);  // gap 6000, and after the schedule's end
  const auto gaps = s.send_gaps_ns();
  ASSERT_EQ(gaps.size(), 3u);
  EXPECT_EQ(gaps[0], 600u);
  EXPECT_EQ(gaps[1], 3900u);
  EXPECT_EQ(gaps[2], 6000u);
  EXPECT_EQ(s.requests_due(), 4u);
  EXPECT_EQ(s.sent_in_run(), 3u);
  EXPECT_EQ(s.requests_sent(), 4u);
}

TEST(StreamStatsTest, AClosedLoopRecordsNoGaps) {
  StreamStats s;
  s.sent(1'000, 1'000);
  s.sent(2'000, 2'000);
  EXPECT_TRUE(s.send_gaps_ns().empty());
  EXPECT_EQ(s.sent_in_run(), 0u);
}

TEST(StreamStatsTest, CleanP99MergesOnlyTheChosenWindowsHistograms) {
  // Three windows: the middle one stalled (its latencies 50 ms). The p99 over all is the
  // stall's; merged from the other two windows' histograms it is the server's own 1-2 ms.
  StreamStats s;
  std::vector<bench::WindowStats> windows;
  for (int w = 0; w < 3; ++w) {
    for (int i = 0; i < 100; ++i) {
      const std::uint64_t us = w == 1 ? 50'000 : 1'000 + static_cast<std::uint64_t>(i) * 10;
      s.success(us * 1000, 0, 0);
    }
    windows.push_back(s.take_window());
  }
  const std::vector<bool> stalled = {false, true, false};
  bench::Histogram clean;
  for (std::size_t i = 0; i < windows.size(); ++i)
    if (!stalled[i]) clean.add(windows[i].latency);
  EXPECT_EQ(clean.count(), 200u);
  EXPECT_NEAR(clean.value_at_quantile(0.99), 1'980, 8);  // rank 198 of 2 x (1000..1990)
  EXPECT_EQ(s.latency().value_at_quantile(0.99), 50'000);
}

}  // namespace
