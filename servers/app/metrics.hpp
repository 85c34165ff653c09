// The server's own view of itself, for GET /metrics in Prometheus' text format: requests by
// endpoint and status, the job pool, and the event loop's lag. Loop thread only.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "offloader.hpp"

namespace app {

enum class Endpoint { root, hi, metrics, other, front_end, count };

// A Prometheus histogram with fixed buckets, in seconds.
class Histogram {
 public:
  void observe(double seconds);
  // `labels`: label text for every sample (`strategy="thread"`), or empty.
  void render(std::string& out, const char* name, const char* help,
              const std::string& labels = "") const;
  // The samples alone, for one series of a histogram whose header is already out.
  void render_series(std::string& out, const char* name, const std::string& labels) const;
  double max() const { return max_; }

 private:
  // About six buckets a decade from 10 us to 10 s: fine enough that a percentile read off
  // the buckets (as the harness does per window) is within ~1.5x of the true value, down to
  // the tens of microseconds a hand-off between threads costs.
  static constexpr std::array<double, 36> kBounds = {
      0.00001, 0.000015, 0.00002, 0.00003, 0.00005, 0.000075, 0.0001, 0.00015, 0.0002,
      0.0003,  0.0005,   0.00075, 0.001,   0.0015,  0.002,    0.003,  0.005,   0.0075,
      0.01,    0.015,    0.02,    0.03,    0.05,    0.075,    0.1,    0.15,    0.2,
      0.3,     0.5,      0.75,    1,       1.5,     2,        3,      5,       10};
  std::array<std::uint64_t, kBounds.size() + 1> counts_{};  // last: above every bound
  double sum_ = 0;
  double max_ = 0;
  std::uint64_t count_ = 0;
};

struct ServerFacts {  // what /metrics shows besides the counters
  std::string strategy;
  unsigned workers = 0;
  unsigned fib = 0;  // --fib, an offload_info label whatever the workload
  std::size_t max_queue = 0;
  bool jobs_on_loop_async = false;  // the strategy runs jobs on the loop (async): loop time
  std::string workload;             // its name
  std::string workload_labels;      // the workload's own offload_info labels (",k=\"v\"..."), or ""
  workloads::WorkloadMetrics workload_metrics;  // its engine histogram's name, its gauges
  offload::PoolStats pool;
  std::string knob_labels;    // the scheduling and pool knobs in force, as label text
  std::string knobs_refused;  // what could not be applied; empty when everything was
  std::size_t connections = 0;
  std::uint64_t connections_refused = 0;  // closed at once: --max-conns were open
  double loop_idle_s = 0;
  double uptime_s = 0;
};

class Metrics {
 public:
  void count_request(Endpoint endpoint, int status);
  // A routed request, from its parse to its answer handed to the connection's write.
  void observe_request(Endpoint endpoint, double seconds) {
    request_seconds_[static_cast<int>(endpoint)].observe(seconds);
  }
  void count_rejected_job() { ++jobs_rejected_; }
  // engine_s: time inside the workload's engine (gpg: GPGME), 0 when it has none; loop_s:
  // time the event loop spent inside the workload for a job run on it asynchronously.
  void observe_job(double total_s, double run_s, double engine_s, double loop_s);
  // Where one answered job's time went: accepted -> started on a worker, started ->
  // finished, finished -> answer handed to its connection.
  void observe_job_parts(double queue_wait_s, double service_s, double handback_s) {
    job_queue_wait_.observe(queue_wait_s);
    job_service_.observe(service_s);
    job_handback_.observe(handback_s);
  }
  void observe_loop_lag(double seconds) {
    loop_lag_.observe(seconds);
    if (seconds > lag_max_since_scrape_) lag_max_since_scrape_ = seconds;
  }
  // Not const: rendering restarts the since-last-scrape maximum.
  std::string render(const ServerFacts& facts);

 private:
  static constexpr int kMaxStatus = 600;
  std::array<std::array<std::uint64_t, kMaxStatus>, static_cast<int>(Endpoint::count)> requests_{};
  std::uint64_t jobs_rejected_ = 0;
  // By endpoint (front_end unused: those requests were never routed).
  std::array<Histogram, static_cast<int>(Endpoint::count)> request_seconds_;
  Histogram job_seconds_;         // submit to answer: waiting + running + hand-back
  Histogram job_run_seconds_;     // running only, as measured where the job ran
  Histogram job_engine_seconds_;  // inside the workload's engine (gpg: GPGME's decrypt)
  Histogram job_loop_seconds_;    // async: the loop's own time inside the workload per job
  Histogram job_queue_wait_;
  Histogram job_service_;
  Histogram job_handback_;
  Histogram loop_lag_;
  double lag_max_since_scrape_ = 0;
};

}  // namespace app
