// The offered-load curve end to end: a real thread server at three levels, below and far
// above its capacity. Below it the open loop gets what it asks for; above it the server's
// queue fills and the excess comes back as 503s; and the server's per-job histograms (queue
// wait, service, hand-back) count every job the client got an answer for and add up to about
// the latency the client measured. No timing figure is asserted beyond those relations.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>

#include "results_dir_test.hpp"
#include "server_process.hpp"

namespace {

using namespace std::chrono_literals;
using testsupport::exit_code;
using testsupport::read_csv;
using Row = std::map<std::string, std::string>;

class LoadCurveTest : public testsupport::ResultsDirTest {};

double num(const Row& row, const std::string& column) {
  const auto it = row.find(column);
  if (it == row.end() || it->second.empty()) return std::nan("");
  return std::stod(it->second);
}

TEST_F(LoadCurveTest, BelowCapacityItGetsWhatItAsksAboveIt503sAndTheBreakdownAddsUp) {
  const std::vector<std::string> args = {"experiment",
                                         "--server",
                                         OFFLOAD_SERVER,
                                         "--strategies",
                                         "thread",
                                         "--workers",
                                         "1",
                                         "--fib",
                                         "27",
                                         "--load",
                                         "20%,50%,300%",
                                         "--heavy-arrivals",
                                         "fixed",
                                         "--repeats",
                                         "1",
                                         "--phase",
                                         "1.5",
                                         "--idle",
                                         "0.3",
                                         "--calibrate",
                                         "0.5",
                                         "--probe-rate",
                                         "200",
                                         "--results",
                                         results_.string(),
                                         "--quiet"};
  const auto r = testsupport::run_program(OFFLOAD_BENCH, args, {}, 120s);
  ASSERT_EQ(exit_code(r.status), 0) << r.output;
  std::map<std::string, Row> heavy;  // by level
  double capacity = std::nan("");
  for (const auto& row : read_csv(latest() / "summary.csv")) {
    if (row.at("phase") == "heavy-only" && row.at("stream") == "heavy")
      capacity = num(row, "rate_rps");
    if (row.at("phase") == "load" && row.at("stream") == "heavy") heavy[row.at("load_level")] = row;
  }
  ASSERT_GT(capacity, 0) << "the capacity run measured the server";
  ASSERT_EQ(heavy.size(), 3u);
  for (const auto& [level, row] : heavy) {
    SCOPED_TRACE(level);
    const double fraction = std::stod(level) / 100;
    EXPECT_NEAR(num(row, "offered_rps"), fraction * capacity, 0.01 * capacity);
    EXPECT_NEAR(num(row, "offered_pct"), fraction * 100, 0.5);
    // Every job the client got a 2xx for went through the server's histograms, once.
    EXPECT_EQ(num(row, "breakdown_jobs"), num(row, "count"));
    // Queue wait + service + hand-back is the job's time in the server: a little less than
    // what the client measured from its intended send time (loopback, parsing, the client's
    // own delay), never more, and not a small part of it.
    const double server_ms =
        num(row, "queue_wait_mean_ms") + num(row, "service_mean_ms") + num(row, "handback_mean_ms");
    const double client_ms = num(row, "mean_ms");
    EXPECT_LE(server_ms, 1.05 * client_ms + 0.05)
        << "server " << server_ms << " client " << client_ms;
    // (The 2 ms allow for a busy 2-core machine, where the client and the loop wake late.)
    EXPECT_GE(server_ms, 0.5 * client_ms - 2.0)
        << "server " << server_ms << " client " << client_ms;
    EXPECT_GT(num(row, "slowdown_p99"), 0);
  }
  // Well below capacity the open loop is served at its rate.
  const Row& low = heavy.at("20%");
  EXPECT_NEAR(num(low, "rate_rps"), num(low, "offered_rps"), 0.2 * num(low, "offered_rps"));
  // Three times the capacity: the queue fills and the excess is refused, not queued forever.
  const Row& high = heavy.at("300%");
  EXPECT_GT(num(high, "rejected"), 0) << high.at("error_classes");
  EXPECT_LT(num(high, "rate_rps"), 0.8 * num(high, "offered_rps"));
  EXPECT_GT(num(high, "queue_wait_mean_ms"), num(low, "queue_wait_mean_ms"));
  // The answer names the configuration, with or without a responsive capacity.
  EXPECT_NE(r.output.find("Responsive capacity"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("thread-fib27-w1"), std::string::npos);
  EXPECT_EQ(check("complete", true), "");
}

}  // namespace
