// results/<run-id>/ on disk, as harness/RESULTS.md describes it: the folder, the
// results/latest link, the four CSVs (header first, rows appended and flushed as they are
// measured, so an interrupted run leaves valid files) and meta.json (replaced atomically).
#pragma once

#include <cstdio>
#include <memory>
#include <string>

namespace bench {

// The CSV headers, exactly as RESULTS.md lists them.
inline constexpr const char* kKeyColumns =
    "config,strategy,workload,fib,payload_bytes,workers,repeat,phase,load_level";
// After the key columns in every CSV: the knobs in force (knob_specs() order) and what the
// server refused of them.
inline constexpr const char* kKnobColumns =
    "worker_nice,worker_policy,loop_cpu,worker_cpus,min_workers,max_workers,"
    "worker_idle_timeout_s,max_jobs_per_worker,max_queue,knobs_refused";
inline constexpr const char* kSummaryColumns =
    "stream,phase_start_s,phase_end_s,duration_s,count,errors,error_classes,rate_rps,mean_ms,"
    "p50_ms,p50_lo_ms,p50_hi_ms,p90_ms,p95_ms,p99_ms,p99_lo_ms,p99_hi_ms,p999_ms,max_ms,"
    "lateness_p99_ms,job_cost_ms,slo_pass,slo_detail,offered_rps,offered_pct,capacity_rps,"
    "rejected,slowdown_p50,slowdown_p99,queue_wait_p50_ms,queue_wait_p99_ms,service_p50_ms,"
    "service_p99_ms,handback_p50_ms,handback_p99_ms,queue_wait_mean_ms,service_mean_ms,"
    "handback_mean_ms,breakdown_jobs,queue_depth_mean,loop_lag_p99_ms,server_cpu_pct,steal_ms,"
    "stall_max_ms,stall_p99_ms,harness_invol_cs,foreign_cpu_pct,lag1_autocorr,p99_clean_ms,"
    "stalled_windows,valid,warnings";
inline constexpr const char* kSeriesColumns =
    "stream,t_s,window_s,completed,errors,rate_rps,p50_ms,p99_ms,max_ms,steal_ms,stall_max_ms,"
    "stall_p99_ms,harness_invol_cs,foreign_cpu_pct,stalled";
inline constexpr const char* kResourceColumns = "t_s,pid,role,rss_kb,cpu_pct,threads";
inline constexpr const char* kMetricsColumns =
    "t_s,loop_lag_p50_ms,loop_lag_p99_ms,loop_lag_max_ms,loop_utilisation,jobs_queued,"
    "jobs_running,workers_alive,workers_restarted,jobs_rejected";

class ResultsFolder {
 public:
  // Creates <parent>/<run-id>/ with logs/ and hgrm/ inside; returns "" or an error line.
  std::string create(const std::string& parent, const std::string& label);
  ~ResultsFolder();

  const std::string& path() const { return path_; }
  const std::string& run_id() const { return run_id_; }

  void summary(const std::string& row) { append(summary_, row); }
  // Replaces summary.csv's rows with `rows` (whole lines), atomically; appends go on after.
  bool rewrite_summary(const std::string& rows);
  void series(const std::string& row) { append(series_, row); }
  void resources(const std::string& row) { append(resources_, row); }
  void metrics(const std::string& row) { append(metrics_, row); }
  void flush();

  // Writes a file inside the folder atomically (temporary file + rename).
  bool write_file(const std::string& name, const std::string& content) const;

 private:
  static void append(std::FILE* f, const std::string& row);
  std::string path_;
  std::string run_id_;
  std::FILE* summary_ = nullptr;
  std::FILE* series_ = nullptr;
  std::FILE* resources_ = nullptr;
  std::FILE* metrics_ = nullptr;
};

}  // namespace bench
