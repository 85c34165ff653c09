// Sums and time-weighted means; see the header.
#include "sample/machine_tally.hpp"

namespace bench {

MachineFigures MachineTally::add(const MachineDelta& m, const StallReading& stall,
                                 double server_cpu_pct) {
  seconds_ += m.elapsed_s;
  steal_ms_ += m.steal_ms;
  invol_cs_ += m.harness_invol_cs;
  busy_core_s_ += m.machine_busy_pct / 100 * m.elapsed_s;
  server_core_s_ += server_cpu_pct / 100 * m.elapsed_s;
  harness_core_s_ += m.harness_cpu_pct / 100 * m.elapsed_s;
  stall_.oversleep_us.add(stall.oversleep_us);
  MachineFigures w;
  w.seconds = m.elapsed_s;
  w.steal_ms = m.steal_ms;
  w.stall_max_ms = stall.max_ms();
  w.stall_p99_ms = stall.p99_ms();
  w.harness_invol_cs = m.harness_invol_cs;
  w.foreign_cpu_pct = foreign_cpu_pct(m.machine_busy_pct, server_cpu_pct, m.harness_cpu_pct);
  return w;
}

MachineFigures MachineTally::total() const {
  MachineFigures t;
  t.seconds = seconds_;
  t.steal_ms = steal_ms_;
  t.stall_max_ms = stall_.max_ms();
  t.stall_p99_ms = stall_.p99_ms();
  t.harness_invol_cs = invol_cs_;
  if (seconds_ > 0)
    t.foreign_cpu_pct =
        foreign_cpu_pct(busy_core_s_ / seconds_ * 100, server_core_s_ / seconds_ * 100,
                        harness_core_s_ / seconds_ * 100);
  return t;
}

}  // namespace bench
