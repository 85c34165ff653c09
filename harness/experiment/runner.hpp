// The experiment runner: for every planned run it starts a server, waits for its ready line,
// runs the steps (capacity runs: idle-before, [calibrate], probe-only, heavy-only,
// heavy+probe, idle-after; level runs: idle-before, probe-only, a load phase per level,
// idle-after) as Phases, samples the server's processes and /metrics each window and at
// every phase's end, writes the rows as they are measured, stops the server and checks its
// exit. Ctrl-C or a dying server ends it
// early with valid files; every transition runs from a fresh loop callback, never from
// inside the object that reported it, so that object can be destroyed on the way. The rows
// it writes are in runner_rows.cpp.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/progress.hpp"
#include "client/target.hpp"
#include "experiment/choice.hpp"
#include "experiment/csv.hpp"
#include "experiment/curve.hpp"
#include "experiment/managed_server.hpp"
#include "experiment/meta.hpp"
#include "experiment/plan.hpp"
#include "experiment/report_table.hpp"
#include "experiment/results_folder.hpp"
#include "experiment/validity.hpp"
#include "load/phase.hpp"
#include "sample/machine_sampler.hpp"
#include "sample/machine_tally.hpp"
#include "sample/metrics_scraper.hpp"
#include "sample/proc_sampler.hpp"
#include "sample/stall_sentinel.hpp"
#include "uv/handles.hpp"

namespace bench {

class Experiment final : private PhaseListener {
 public:
  Experiment(uv_loop_t* loop, Plan plan, std::string server_program, ResultsFolder& folder,
             std::vector<std::string> command);
  ~Experiment();
  Experiment(const Experiment&) = delete;
  Experiment& operator=(const Experiment&) = delete;

  void start();
  void interrupt();  // first call: stop cleanly; second: kill the server now
  int exit_status() const { return exit_status_; }
  std::function<void()> on_finished;  // after the last file is written

 private:
  // PhaseListener
  void phase_window(Phase& p, const PhaseWindow& w) override;
  void phase_ended(Phase& p) override;
  void phase_failed(Phase& p, const std::string& message) override;

  void start_run();
  void server_ready(int port);
  void server_died(const std::string& why);
  void server_stopped(bool clean, const std::string& how);
  void start_step();
  void after_step();
  void stop_server();
  void fail(const std::string& message);
  void finish(const std::string& status, int exit_status, const std::string& message);
  void defer(std::function<void()> next);

  std::vector<StreamSpec> specs_for(const Step& step) const;
  CsvRow keys(const Step& step) const;
  // Load levels: the capacity the run's N% refer to, and a load step's offered rate.
  double basis_for(std::size_t config) const;
  double level_rps(const Step& step) const;  // NaN: not a load step, or the basis is unknown
  void phase_boundary(const Scrape* end);    // the /metrics answer after a phase, or none
  void end_phase_now();                      // rows of a phase whose boundary scrape is out
  double since_server(std::uint64_t ns) const;
  void write_phase_rows(Phase& p, const Step& step, const Scrape* end);
  CsvRow check_slos(Phase& p);  // heavy+probe: the slo_pass, slo_detail cells of its rows
  // A summary row: its cells up to the validity columns, which write_summary adds; `group`
  // names the row across repeats (for drift), `p99` its estimate there.
  struct SummaryLine {
    CsvRow row, tail;
    std::vector<std::string> warnings;
    std::string group;
    validity::RepeatEstimate p99;
    std::string text;  // row, job cost and tail, without valid and warnings
  };
  void write_summary(SummaryLine line);
  void emit_summary(SummaryLine line);
  void release_held_rows();
  void check_drift();  // at the end: repeats that disagree, then the file again
  std::string validity_json() const;
  std::map<std::string, std::uint64_t> warning_counts() const;  // rows naming each warning
  std::string warning_counts_text() const;                      // "machine-stall 3, iid 1"
  std::string machine_facts_json() const;  // meta.json's machine with the run's own facts
  void write_meta(const std::string& status, const std::string& message = {});
  void metrics_row(const std::string& context, std::uint64_t at_ns, const LoopWindow& w);
  std::string answer_text() const;   // the end's first lines: each configuration's answer
  std::string repeats_text() const;  // capacity runs over repeats: mean ± CI, ratios
  // The ratios' baseline: the strategy whose jobs run on the loop (inline), by the server's
  // list (StrategyRegistry::loop_strategy); its capacity at the same job size, NaN if none.
  bool is_baseline(const ServerConfig& c) const;
  std::string baseline_header() const;  // "x inline"
  double baseline_capacity(std::size_t config) const;
  void record_answers();                   // responsive capacities, for meta.json and the table
  void scrape_seen(const Scrape& scrape);  // every /metrics answer: the knobs in force
  std::optional<Choice> choice_;           // set when the run ends, with --slo
  void show_progress();

  const ServerConfig& config() const { return plan_.configs[plan_.runs[run_index_].config]; }
  const PlannedRun& run() const { return plan_.runs[run_index_]; }
  const Step& step() const { return steps_[step_index_]; }

  uv_loop_t* loop_;
  Plan plan_;
  std::string program_;
  ResultsFolder& folder_;
  std::vector<std::string> command_;
  std::string started_iso_;
  std::string machine_json_, versions_json_, git_rev_;  // asked once: git forks a process
  std::uint64_t started_ns_ = 0;
  Progress progress_;

  std::size_t run_index_ = 0;
  std::vector<Step> steps_;
  std::size_t step_index_ = 0;
  std::uint64_t step_started_ns_ = 0;
  std::unique_ptr<ManagedServer> server_;
  std::unique_ptr<Phase> phase_;
  std::unique_ptr<MetricsScraper> scraper_;
  std::unique_ptr<ProcSampler> sampler_;

  std::vector<double> job_cost_ms_;                // per configuration
  std::vector<std::vector<double>> capacities_;    // per configuration: heavy-only req/s
  std::vector<std::vector<double>> unloaded_p99_;  // per configuration: level runs' probe-only
  std::vector<LevelPoint> level_points_;
  std::vector<Responsive> answers_;  // per configuration, once the run has ended
  // The phase now ending waits for the server's /metrics after it: the per-job histograms'
  // difference between the two boundaries is the phase's queue wait / service / hand-back.
  Scrape boundary_;
  bool boundary_known_ = false;
  bool waiting_boundary_ = false;
  struct PhaseAccumulator {  // the phase's windows, for its summary rows
    double queued_sum = 0;
    unsigned queued_n = 0;
    double lag_p99_max = kNaN;
    double tree_cpu_sum = 0;
    unsigned tree_cpu_n = 0;
    std::vector<std::uint64_t> answered_while_sending;  // per stream: 2xx before it stopped
    MachineTally machine;          // steal, stalls, foreign CPU over the phase's windows
    std::vector<Histogram> clean;  // per stream: latencies of the windows without a stall
    unsigned stalled_windows = 0;
  } acc_;
  // The machine beside the measurements: a thread sleeping 1 ms at a time that records how
  // late it wakes, and /proc/stat with our own CPU, read at every window.
  std::unique_ptr<StallSentinel> sentinel_;
  MachineSampler machine_;
  unsigned cpus_ = 1;
  std::optional<CpuTimes> cpu_at_start_;  // for the run's total steal
  // Summary rows waiting for the job cost, with the cells that follow it.
  std::vector<SummaryLine> held_;
  std::vector<SummaryLine> summary_lines_;  // every row written, for drift at the end
  std::string knobs_refused_;               // this run's server, as of its latest /metrics answer
  bool waiting_for_knobs_ = false;          // the first phase waits for the server's knobs
  std::vector<RunRow> table_;               // one per run, for the final table
  std::vector<RunRecord> run_meta_;         // for meta.json
  bool any_unclean_exit_ = false;

  bool interrupted_ = false;
  bool failing_ = false;
  bool finished_ = false;
  std::string failure_;
  std::string phase_failure_;  // a phase failed: wait briefly for the server's exit status
  int exit_status_ = 0;
  bool cost_known_ = false;  // this run's configuration has its job cost
  Target target_;
  std::vector<std::function<void()>> next_;
  uvx::Timer next_timer_;
  uvx::Timer confirm_timer_;
  uvx::Timer knobs_timer_;     // a server that never answers /metrics is measured all the same
  uvx::Timer boundary_timer_;  // nor is a phase's end held for a /metrics that does not come
};

}  // namespace bench
