// What `offload-bench run` gathers beside the load for its machine-readable outputs:
// with --json or --csv, the server's /metrics just before the run (which server it is,
// run_server.hpp) and just after it (the per-job breakdown); with --csv also, per 500 ms
// window, the machine (steal, the stall sentinel, the harness's own context switches), the
// series.csv and metrics.csv rows and each stream's latencies outside stalled windows, so
// the folder's validity columns are as honest as an experiment's. Without those flags it only
// counts the answers that came while each stream was sending (an open loop's achieved rate).
// Every wait on the server is bounded: an external server without /metrics costs one refused
// request, a stuck one at most kScrapeWaitMs.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "experiment/run_folder.hpp"
#include "experiment/run_output.hpp"
#include "load/phase.hpp"
#include "sample/machine_sampler.hpp"
#include "sample/machine_tally.hpp"
#include "sample/metrics_scraper.hpp"
#include "sample/stall_sentinel.hpp"
#include "uv/handles.hpp"

namespace bench {

class RunRecorder {
 public:
  // An inline server answers /metrics only between jobs: a few of them, not forever.
  static constexpr std::uint64_t kScrapeWaitMs = 3000;

  RunRecorder(uv_loop_t* loop, const RunOptions& options);
  ~RunRecorder();
  RunRecorder(const RunRecorder&) = delete;
  RunRecorder& operator=(const RunRecorder&) = delete;

  // Learns which server it is (when an output needs it), then calls `ready`.
  void before(std::function<void()> ready);
  // One window of the run's phase.
  void window(const Phase& p, const PhaseWindow& w);
  // After the phase: the server's figures over the run (when an output needs them), then
  // `done`.
  void after(std::function<void()> done);
  // Ends a wait at once (Ctrl-C): its callback runs now with what is known.
  void cancel();
  // Closes the connection to /metrics and stops the sentinel: the run's loop can end. May be
  // called from within after()'s `done`.
  void close();

  // Everything known of the run but its status, times and SLO verdict.
  RunFacts facts(const Phase& p) const;

 private:
  void wait_for(std::function<void(const Scrape*)> got);
  void metrics_row(std::uint64_t at_ns, const LoopWindow& w);

  uv_loop_t* loop_;
  const RunOptions& options_;
  bool wants_server_;  // --json or --csv
  bool wants_folder_;  // --csv
  RunPhase phase_;
  RunServer server_;
  std::optional<Scrape> before_;
  RunBreakdown breakdown_;
  double queued_sum_ = 0;
  std::uint64_t queued_n_ = 0;
  std::unique_ptr<MetricsScraper> scraper_;
  uvx::Timer wait_timer_;
  std::function<void(const Scrape*)> waiting_;  // the pending scrape's continuation
  std::unique_ptr<StallSentinel> sentinel_;
  std::unique_ptr<MachineSampler> machine_;
  MachineTally tally_;
  RunMachine figures_;
  std::uint64_t phase_start_ns_ = 0;
  std::vector<double> answered_while_sending_;
  std::vector<Histogram> clean_;
  std::vector<std::string> series_rows_;
  std::vector<std::string> metrics_rows_;
};

}  // namespace bench
