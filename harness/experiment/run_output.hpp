// What `offload-bench run` knows at its end, for its machine-readable outputs: --json (one
// document: parameters, every stream's counts, errors by class, rate and latency percentiles
// with their 95% intervals, the server, the machine; harness/RESULTS.md describes its
// fields), --slo (the experiment's objectives, checked on the run's streams by role) and
// --csv (run_folder.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "experiment/run_server.hpp"
#include "experiment/slo.hpp"
#include "load/stream.hpp"
#include "sample/machine_tally.hpp"
#include "sample/prometheus.hpp"
#include "stats/histogram.hpp"
#include "stats/latency_summary.hpp"

namespace bench {

struct RunStream {
  const Stream* stream = nullptr;
  std::string role;  // heavy | probe (stream_role.hpp)
  // Answers that arrived while the stream was sending: an open loop's achieved rate counts
  // these, not those drained after it stopped. NaN when not tracked.
  double answered_while_sending = kNaN;
  Histogram clean;  // latencies of the windows without a machine stall (--csv)
  bool clean_known = false;
};

// The machine during the run (--csv only: it needs the stall sentinel beside the load).
struct RunMachine {
  bool known = false;
  MachineFigures figures;  // foreign CPU is not among them: the server's CPU is not known
  std::uint64_t stalled_windows = 0;
  unsigned cpus = 1;
};

// The server's own figures over the run, from /metrics (--csv, offload-server only).
struct RunBreakdown {
  bool known = false;  // scraped just before and just after the run
  HistogramDelta wait, service, handback;
  double queue_depth_mean = kNaN;
  double lag_p99_max_ms = kNaN;
};

struct RunFacts {
  const RunOptions* options = nullptr;
  std::string status = "complete";  // complete | interrupted | failed
  std::string message;              // why it failed
  std::string started, ended;       // ISO 8601 UTC
  std::uint64_t start_ns = 0;       // the streams' common start (uv_hrtime)
  std::uint64_t end_ns = 0;         // when every stream had stopped sending
  std::vector<RunStream> streams;
  RunServer server;
  std::optional<SloOutcome> slo;  // with --slo
  int exit_status = 0;
  RunMachine machine;
  RunBreakdown breakdown;
  std::vector<std::string> series_rows;   // whole series.csv lines (--csv)
  std::vector<std::string> metrics_rows;  // whole metrics.csv lines (--csv)
};

// A stream's rate as the table prints it and --slo checks it: its answers over its sending
// time (start to the end of sending).
double stream_rate(const Stream& s);
// An open loop's achieved rate (answers while sending over sending time); a closed loop's
// stream_rate.
double achieved_rate(const RunStream& s);

// The run's objectives, each against its stream's figures (by role); a role no stream has
// is not measured, and fails.
SloOutcome check_run_slos(const std::vector<Slo>& slos, const std::vector<RunStream>& streams);
// Lines printed under the table: each objective, its value and verdict, then which failed.
std::string slo_report(const std::vector<Slo>& slos, const SloOutcome& outcome);

// The --json document (one object, a newline after it).
std::string run_json(const RunFacts& facts);

// The run's parameters as a JSON object: target, streams, slos (--json and meta.json).
std::string run_params_json(const RunOptions& options);

}  // namespace bench
