// /proc/stat's counters tick at USER_HZ (10 ms): over a 500 ms window steal and busy are
// known to +-1 tick per CPU, and a phase's figures, taken as the difference of its two end
// readings, to the same +-1 tick in all. getrusage counts in microseconds.
#include "sample/machine_sampler.hpp"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

namespace bench {

namespace {

double seconds(const timeval& t) {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

std::uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

std::uint64_t since(std::uint64_t before, std::uint64_t after) {
  return after > before ? after - before : 0;  // counters never go back; a reset reads as 0
}

}  // namespace

MachineDelta machine_delta(const CpuTimes& before, const CpuTimes& after, const rusage& self_before,
                           const rusage& self_after, double elapsed_s, long ticks_per_s) {
  MachineDelta d;
  d.elapsed_s = elapsed_s;
  const double tick_ms = 1000.0 / static_cast<double>(ticks_per_s > 0 ? ticks_per_s : 100);
  d.steal_ms = static_cast<double>(since(before.steal, after.steal)) * tick_ms;
  const double harness_s = seconds(self_after.ru_utime) + seconds(self_after.ru_stime) -
                           seconds(self_before.ru_utime) - seconds(self_before.ru_stime);
  d.harness_invol_cs =
      static_cast<std::uint64_t>(std::max(0L, self_after.ru_nivcsw - self_before.ru_nivcsw));
  if (elapsed_s > 0) {
    const double busy_ms = static_cast<double>(since(before.busy(), after.busy())) * tick_ms;
    d.machine_busy_pct = busy_ms / (elapsed_s * 1000) * 100;
    d.harness_cpu_pct = std::max(0.0, harness_s) / elapsed_s * 100;
  }
  return d;
}

double foreign_cpu_pct(double machine_busy_pct, double server_tree_cpu_pct,
                       double harness_cpu_pct) {
  return std::max(0.0, machine_busy_pct - server_tree_cpu_pct - harness_cpu_pct);
}

MachineSampler::MachineSampler() : last_(read()), ticks_per_s_(sysconf(_SC_CLK_TCK)) {}

MachineSampler::Reading MachineSampler::read() {
  Reading r;
  r.cpu = read_cpu_times();
  getrusage(RUSAGE_SELF, &r.self);
  r.at_ns = monotonic_ns();
  return r;
}

MachineDelta MachineSampler::sample() {
  Reading now = read();
  const double elapsed_s = static_cast<double>(since(last_.at_ns, now.at_ns)) / 1e9;
  const bool readable = last_.cpu && now.cpu;
  MachineDelta d =
      machine_delta(readable ? *last_.cpu : CpuTimes{}, readable ? *now.cpu : CpuTimes{},
                    last_.self, now.self, elapsed_s, ticks_per_s_);
  d.cpu_readable = readable;
  last_ = std::move(now);
  return d;
}

}  // namespace bench
