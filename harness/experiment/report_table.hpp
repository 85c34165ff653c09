// The table `offload-bench experiment` prints at the end: per run, the heavy throughput, the
// job cost and how /hi answered with and without the heavy load.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stats/latency_summary.hpp"

namespace bench {

struct RunRow {
  std::string config;
  unsigned repeat = 1;
  double job_cost_ms = kNaN;
  double heavy_alone_rps = kNaN;   // heavy-only
  double heavy_loaded_rps = kNaN;  // heavy+probe
  LatencySummary hi_unloaded;      // probe-only
  LatencySummary hi_loaded;        // heavy+probe
  std::uint64_t errors = 0;
  std::string server_exit = "-";  // clean, or how it ended
  std::string slo = "-";          // pass or fail (heavy+probe against --slo), "-" unchecked
  unsigned invalid = 0;           // its summary rows with a validity warning
};

// `with_slo`: a column with each run's SLO verdict.
std::string experiment_table(const std::vector<RunRow>& rows, bool with_slo = false);

// After the table, with --slo: each configuration's verdict over its repeats, its heavy
// throughput and the detail of its first failing repeat (else its last), then which one was
// chosen and the exit status.
struct SloRow {
  std::string config;
  std::string verdict;  // pass, fail, or "-" (not measured)
  double heavy_rps = kNaN;
  std::string detail;
};
std::string slo_table(const std::vector<std::string>& slos, const std::vector<SloRow>& rows,
                      const std::string& chosen_line);

}  // namespace bench
