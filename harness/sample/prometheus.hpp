// Reading the server's GET /metrics (Prometheus text format 0.0.4) and turning two scrapes
// into one window's figures: loop lag percentiles from the histogram's bucket deltas,
// loop utilisation from the idle-time counter, and the pool gauges.
#pragma once

#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bench {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

std::vector<PromSample> parse_prometheus(std::string_view text);

class Scrape {
 public:
  Scrape() = default;
  explicit Scrape(std::vector<PromSample> samples) : samples_(std::move(samples)) {}
  bool empty() const { return samples_.empty(); }
  // The first sample with this name (and label value, if given).
  std::optional<double> value(std::string_view name, std::string_view label = {},
                              std::string_view label_value = {}) const;
  // The labels of the first sample with this name; nullptr when there is none.
  const std::map<std::string, std::string>* labels(std::string_view name) const;
  // A histogram's cumulative buckets as (upper bound, count), in order; +Inf is infinity.
  std::vector<std::pair<double, double>> buckets(std::string_view histogram) const;

 private:
  std::vector<PromSample> samples_;
};

struct LoopWindow {  // NaN where the server does not expose the figure
  double lag_p50_ms, lag_p99_ms, lag_max_ms;
  double utilisation;
  double jobs_queued, jobs_running, workers_alive;
  double workers_restarted, jobs_rejected;  // counters since the server started
};

// A histogram's observations between two scrapes: how many, and the bucket upper bounds
// its p50 and p99 fall in (ms; NaN when none were observed or the quantile lies in +Inf).
struct HistogramDelta {
  double count = 0;
  double p50_ms = std::numeric_limits<double>::quiet_NaN();
  double p99_ms = std::numeric_limits<double>::quiet_NaN();
  double mean_ms = std::numeric_limits<double>::quiet_NaN();  // from _sum: exact
};
HistogramDelta histogram_delta(const Scrape& before, const Scrape& after, std::string_view name);

// The window between two scrapes of the same server. Lag figures are upper bounds: the
// bound of the bucket the percentile falls in, capped by the server's largest lag over the
// shortest of its fixed windows (offload_loop_lag_window_max_seconds, 1 s and 10 s) that covers
// the time between the scrapes, else by its all-time maximum.
LoopWindow loop_window(const Scrape& before, const Scrape& after);

}  // namespace bench
