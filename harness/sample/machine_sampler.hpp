// What the machine did around the measurement, between two samples: hypervisor steal,
// whole-machine busy CPU, and the harness's own CPU and involuntary context switches. The
// runner samples it at each 500 ms window and at phase boundaries; with the server tree's
// CPU (ProcSampler) it gives the CPU that neither side used: someone else's.
#pragma once

#include <sys/resource.h>

#include <cstdint>
#include <optional>

#include "sample/cpu_times.hpp"

namespace bench {

struct MachineDelta {
  double elapsed_s = 0;
  double steal_ms = 0;                 // summed over CPUs
  double machine_busy_pct = 0;         // % of one core (0 .. 100 x cores)
  double harness_cpu_pct = 0;          // % of one core, this process (every thread)
  std::uint64_t harness_invol_cs = 0;  // involuntary context switches of this process
  bool cpu_readable = true;  // false when /proc/stat could not be read: steal and busy are 0
};

// The figures from two readings of /proc/stat and getrusage, `elapsed_s` apart. Pure, so the
// arithmetic is testable; ticks_per_s is sysconf(_SC_CLK_TCK).
MachineDelta machine_delta(const CpuTimes& before, const CpuTimes& after, const rusage& self_before,
                           const rusage& self_after, double elapsed_s, long ticks_per_s);

// CPU used by everything but the server's process tree and the harness, % of one core,
// clamped at 0 (the three readings come from different clocks and tick counts: a small
// negative difference is rounding, not a negative load).
double foreign_cpu_pct(double machine_busy_pct, double server_tree_cpu_pct, double harness_cpu_pct);

class MachineSampler {
 public:
  MachineSampler();  // takes the first reading
  // Everything since the previous sample() (or construction).
  MachineDelta sample();

 private:
  struct Reading {
    std::optional<CpuTimes> cpu;
    rusage self{};
    std::uint64_t at_ns = 0;
  };
  static Reading read();
  Reading last_;
  long ticks_per_s_;
};

}  // namespace bench
