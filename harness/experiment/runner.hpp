// The experiment runner: for every planned run it starts a server, waits for its ready line,
// runs the steps (idle-before, [calibrate], probe-only, heavy-only, heavy+probe, idle-after)
// as Phases, samples the server's processes and /metrics each window, writes the rows as
// they are measured, stops the server and checks its exit. Ctrl-C or a dying server ends it
// early with valid files; every transition runs from a fresh loop callback, never from
// inside the object that reported it, so that object can be destroyed on the way. The rows
// it writes are in runner_rows.cpp.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/progress.hpp"
#include "client/target.hpp"
#include "experiment/choice.hpp"
#include "experiment/csv.hpp"
#include "experiment/managed_server.hpp"
#include "experiment/meta.hpp"
#include "experiment/plan.hpp"
#include "experiment/report_table.hpp"
#include "experiment/results_folder.hpp"
#include "load/phase.hpp"
#include "sample/metrics_scraper.hpp"
#include "sample/proc_sampler.hpp"
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
  CsvRow keys(const std::string& phase) const;
  double since_server(std::uint64_t ns) const;
  void write_phase_rows(Phase& p, const Step& step);
  CsvRow check_slos(Phase& p);  // heavy+probe: the slo_pass, slo_detail cells of its rows
  void write_summary(CsvRow row, const CsvRow& tail);
  void release_held_rows();
  void write_meta(const std::string& status, const std::string& message = {});
  void metrics_row(const std::string& phase, std::uint64_t at_ns, const LoopWindow& w);
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

  std::vector<double> job_cost_ms_;  // per configuration
  // Summary rows waiting for the job cost, with the cells that follow it.
  std::vector<std::pair<CsvRow, CsvRow>> held_;
  std::string knobs_refused_;        // this run's server, as of its latest /metrics answer
  bool waiting_for_knobs_ = false;   // the first phase waits for the server's knobs
  std::vector<RunRow> table_;        // one per run, for the final table
  std::vector<RunRecord> run_meta_;  // for meta.json
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
  uvx::Timer knobs_timer_;  // a server that never answers /metrics is measured all the same
};

}  // namespace bench
