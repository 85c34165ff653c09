// Reading offload-server's /metrics: the text format, and one window's loop lag and
// utilisation from two scrapes (capped by the server's fixed-window maximum that covers them).
#include <gtest/gtest.h>

#include <cmath>

#include "sample/prometheus.hpp"

namespace {

std::string scrape_text(const std::string& buckets, double lag_max, double idle, double uptime,
                        int queued) {
  return "# HELP offload_info The server's configuration.\n"
         "# TYPE offload_info gauge\n"
         "offload_info{strategy=\"thread\",workers=\"2\",fib=\"30\",max_queue=\"128\"} 1\n"
         "offload_requests_total{endpoint=\"/\",status=\"200\"} 12\n"
         "offload_requests_total{endpoint=\"/hi\",status=\"200\"} 40\n"
         "offload_jobs_queued " +
         std::to_string(queued) +
         "\n"
         "offload_jobs_running 2\n"
         "offload_jobs_rejected_total 3\n"
         "offload_workers_alive 2\n"
         "offload_workers_restarted_total 1\n" +
         buckets + "offload_loop_lag_max_seconds " + std::to_string(lag_max) +
         "\n"
         "offload_loop_idle_seconds_total " +
         std::to_string(idle) + "\noffload_uptime_seconds " + std::to_string(uptime) + "\n";
}

std::string lag_buckets(int a, int b, int c, int inf) {
  return "offload_loop_lag_seconds_bucket{le=\"0.0001\"} " + std::to_string(a) +
         "\noffload_loop_lag_seconds_bucket{le=\"0.001\"} " + std::to_string(b) +
         "\noffload_loop_lag_seconds_bucket{le=\"0.01\"} " + std::to_string(c) +
         "\noffload_loop_lag_seconds_bucket{le=\"+Inf\"} " + std::to_string(inf) +
         "\noffload_loop_lag_seconds_count " + std::to_string(inf) + "\n";
}

TEST(PrometheusTest, ParsesNamesLabelsAndValues) {
  const auto samples = bench::parse_prometheus(
      "# comment\n\nm{a=\"x\",b=\"q\\\"uote\"} 1.5\nplain 7 1700000000\nbad line here\n"
      "inf{le=\"+Inf\"} +Inf\n");
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_EQ(samples[0].name, "m");
  EXPECT_EQ(samples[0].labels.at("a"), "x");
  EXPECT_EQ(samples[0].labels.at("b"), "q\"uote");
  EXPECT_DOUBLE_EQ(samples[0].value, 1.5);
  EXPECT_EQ(samples[1].name, "plain");
  EXPECT_DOUBLE_EQ(samples[1].value, 7);
  EXPECT_TRUE(std::isinf(samples[2].value));
  bench::Scrape s(bench::parse_prometheus(scrape_text(lag_buckets(1, 2, 3, 3), 0.004, 1, 2, 5)));
  EXPECT_EQ(s.value("offload_requests_total", "endpoint", "/hi").value(), 40);
  EXPECT_EQ(s.value("offload_jobs_queued").value(), 5);
  EXPECT_FALSE(s.value("no_such_metric").has_value());
  ASSERT_EQ(s.buckets("offload_loop_lag_seconds").size(), 4u);
}

TEST(PrometheusTest, WindowLagComesFromBucketDeltasCappedByTheMaximum) {
  // Before: 10 observations. After: 100 more, 50 under 0.1 ms, 45 under 1 ms, 5 under 10 ms.
  bench::Scrape before(
      bench::parse_prometheus(scrape_text(lag_buckets(10, 10, 10, 10), 0.004, 1.0, 2.0, 0)));
  bench::Scrape after(
      bench::parse_prometheus(scrape_text(lag_buckets(60, 105, 110, 110), 0.004, 1.25, 3.0, 4)));
  const auto w = bench::loop_window(before, after);
  EXPECT_DOUBLE_EQ(w.lag_p50_ms, 0.1);  // the 50th of 100 is in the first bucket
  EXPECT_DOUBLE_EQ(w.lag_p99_ms, 4.0);  // bucket bound 10 ms, capped by the 4 ms maximum
  EXPECT_DOUBLE_EQ(w.lag_max_ms, 4.0);
  EXPECT_DOUBLE_EQ(w.utilisation, 0.75);  // idle 0.25 s of 1 s
  EXPECT_EQ(w.jobs_queued, 4);
  EXPECT_EQ(w.jobs_running, 2);
  EXPECT_EQ(w.workers_alive, 2);
  EXPECT_EQ(w.workers_restarted, 1);
  EXPECT_EQ(w.jobs_rejected, 3);
}

std::string window_maxima(double one_s, double ten_s) {
  return "offload_loop_lag_window_max_seconds{window=\"1s\"} " + std::to_string(one_s) +
         "\noffload_loop_lag_window_max_seconds{window=\"10s\"} " + std::to_string(ten_s) + "\n";
}

TEST(PrometheusTest, TheShortestServerWindowThatCoversTheScrapesCapsTheMaximum) {
  // All-time maximum 40 ms (an earlier stall); the last 1 s's maximum 2.5 ms, the last 10 s's
  // 7.5 ms. One second between the scrapes: the 1 s window covers it.
  bench::Scrape before(
      bench::parse_prometheus(scrape_text(lag_buckets(10, 10, 10, 10), 0.040, 1.0, 2.0, 0)));
  bench::Scrape after(
      bench::parse_prometheus(scrape_text(lag_buckets(60, 105, 110, 110), 0.040, 1.25, 3.0, 0) +
                              window_maxima(0.0025, 0.0075)));
  auto w = bench::loop_window(before, after);
  EXPECT_DOUBLE_EQ(w.lag_max_ms, 2.5);
  EXPECT_DOUBLE_EQ(w.lag_p99_ms, 2.5);  // bucket bound 10 ms, capped by the window's maximum
  EXPECT_DOUBLE_EQ(w.lag_p50_ms, 0.1);
  // Three seconds between them: the 1 s window would miss two of them; the 10 s one covers all.
  bench::Scrape later(
      bench::parse_prometheus(scrape_text(lag_buckets(60, 105, 110, 110), 0.040, 1.25, 5.0, 0) +
                              window_maxima(0.0025, 0.0075)));
  w = bench::loop_window(before, later);
  EXPECT_DOUBLE_EQ(w.lag_max_ms, 7.5);
  // Past ten seconds no window covers them: the all-time maximum is all there is, and the
  // bucket bound (10 ms) is the tighter.
  bench::Scrape much_later(
      bench::parse_prometheus(scrape_text(lag_buckets(60, 105, 110, 110), 0.040, 1.25, 30.0, 0) +
                              window_maxima(0.0025, 0.0075)));
  w = bench::loop_window(before, much_later);
  EXPECT_DOUBLE_EQ(w.lag_max_ms, 10.0);
}

TEST(PrometheusTest, WindowWithoutObservationsOrMetricsIsEmpty) {
  bench::Scrape same(bench::parse_prometheus(scrape_text(lag_buckets(5, 5, 5, 5), 0.001, 1, 2, 0)));
  const auto w = bench::loop_window(same, same);
  EXPECT_TRUE(std::isnan(w.lag_p50_ms));
  EXPECT_TRUE(std::isnan(w.utilisation));  // no time passed
  const auto none =
      bench::loop_window(bench::Scrape(), bench::Scrape(bench::parse_prometheus("x 1\n")));
  EXPECT_TRUE(std::isnan(none.lag_p99_ms));
  EXPECT_TRUE(std::isnan(none.jobs_queued));
}

}  // namespace
