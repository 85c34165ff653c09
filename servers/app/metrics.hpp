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
  void render(std::string& out, const char* name, const char* help) const;
  double max() const { return max_; }

 private:
  static constexpr std::array<double, 16> kBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005,
                                                     0.01,   0.02,    0.05,   0.1,   0.25,  0.5,
                                                     1,      2.5,     5,      10};
  std::array<std::uint64_t, kBounds.size() + 1> counts_{};  // last: above every bound
  double sum_ = 0;
  double max_ = 0;
  std::uint64_t count_ = 0;
};

struct ServerFacts {  // what /metrics shows besides the counters
  std::string strategy;
  unsigned workers = 0;
  unsigned fib = 0;
  std::size_t max_queue = 0;
  std::string workload;       // fib | gpg
  std::string gpg_labels;     // gpg: payload, home mode and key, as label text; else empty
  double gpg_spawn_s = -1;    // gpg: median cost of GPGME spawning gpg (fork+exec+reap); -1 unknown
  double gpg_startup_s = -1;  // gpg: median of a gpg run that lists one key (gpg's start-up)
  offload::PoolStats pool;
  std::string knob_labels;    // the scheduling and pool knobs in force, as label text
  std::string knobs_refused;  // what could not be applied; empty when everything was
  std::size_t connections = 0;
  double loop_idle_s = 0;
  double uptime_s = 0;
};

class Metrics {
 public:
  void count_request(Endpoint endpoint, int status);
  void count_rejected_job() { ++jobs_rejected_; }
  // engine_s: time inside GPGME (gpg workload), 0 for fib.
  void observe_job(double total_s, double run_s, double engine_s);
  void observe_loop_lag(double seconds) { loop_lag_.observe(seconds); }
  std::string render(const ServerFacts& facts) const;

 private:
  static constexpr int kMaxStatus = 600;
  std::array<std::array<std::uint64_t, kMaxStatus>, static_cast<int>(Endpoint::count)> requests_{};
  std::uint64_t jobs_rejected_ = 0;
  Histogram job_seconds_;         // submit to answer: waiting + running + hand-back
  Histogram job_run_seconds_;     // running only, as measured where the job ran
  Histogram job_engine_seconds_;  // gpg: inside GPGME's decrypt (spawns gpg, asks the agent)
  Histogram loop_lag_;
};

}  // namespace app
