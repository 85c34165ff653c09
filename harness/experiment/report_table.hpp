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
};

std::string experiment_table(const std::vector<RunRow>& rows);

}  // namespace bench
