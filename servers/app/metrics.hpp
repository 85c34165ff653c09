// The server's own view of itself, for GET /metrics in Prometheus' text format: requests by
// endpoint and status, the job pool, and the event loop's lag. Loop thread only.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "offloader.hpp"
#include "prom_text.hpp"

namespace app {

enum class Endpoint { root, hi, metrics, other, front_end, count };

using Histogram = offload::prom::Histogram;

struct ServerFacts {  // what /metrics shows besides the counters
  std::string strategy;
  unsigned workers = 0;
  unsigned fib = 0;  // --fib, an offload_info label whatever the workload
  std::size_t max_queue = 0;
  bool jobs_on_loop_async = false;        // the strategy runs jobs on the loop (async): loop time
  std::string workload;                   // its name
  offload::prom::Labels workload_labels;  // the workload's own offload_info labels
  workloads::WorkloadMetrics workload_metrics;  // its engine histogram's name, its gauges
  offload::PoolStats pool;
  offload::prom::Labels knob_labels;  // the scheduling and pool knobs in force
  std::string knobs_refused;          // what could not be applied; empty when everything was
  std::size_t connections = 0;
  std::uint64_t connections_refused = 0;  // closed at once: --max-conns were open
  double loop_idle_s = 0;
  double uptime_s = 0;
  std::uint64_t now_ns = 0;  // uv_hrtime() at the scrape: the loop lag's windows end here
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
  // `now_ns`: uv_hrtime() when the probe fired.
  void observe_loop_lag(double seconds, std::uint64_t now_ns) {
    loop_lag_.observe(seconds);
    lag_window_.observe(seconds, now_ns);
  }
  std::string render(const ServerFacts& facts) const;

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
  offload::prom::WindowMax lag_window_;  // the largest lag of the last 1 s and 10 s
};

}  // namespace app
