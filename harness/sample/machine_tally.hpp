// The machine figures of a window and of a whole phase, from the runner's per-window
// readings: the MachineSampler's delta, the StallSentinel's reading and the server tree's
// CPU over the same window. A phase's figures are sums (steal, context switches), the
// merged sentinel histogram (max, p99), and foreign CPU from the phase's CPU totals, where
// the per-window tick rounding cancels out.
#pragma once

#include <cstdint>

#include "sample/machine_sampler.hpp"
#include "sample/stall_sentinel.hpp"

namespace bench {

struct MachineFigures {
  double seconds = 0;
  double steal_ms = 0;
  double stall_max_ms = 0;
  double stall_p99_ms = 0;
  std::uint64_t harness_invol_cs = 0;
  double foreign_cpu_pct = 0;  // % of one core, mean over the time covered
};

class MachineTally {
 public:
  // Adds one window and returns its own figures (for series.csv).
  MachineFigures add(const MachineDelta& machine, const StallReading& stall, double server_cpu_pct);
  MachineFigures total() const;  // every window added so far (for summary.csv)

 private:
  double seconds_ = 0;
  double steal_ms_ = 0;
  std::uint64_t invol_cs_ = 0;
  double busy_core_s_ = 0;  // CPU time, in core-seconds
  double server_core_s_ = 0;
  double harness_core_s_ = 0;
  StallReading stall_;
};

}  // namespace bench
