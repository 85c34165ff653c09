// The whole machine's CPU time by kind, from the aggregate "cpu" line of /proc/stat, in
// clock ticks (USER_HZ, 100 per second on Linux: a 10 ms resolution). Kept apart from the
// file access so the parser can be tested on fixed text.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace bench {

struct CpuTimes {
  std::uint64_t user = 0;  // includes guest time: the kernel adds guest to user as well
  std::uint64_t nice = 0;  // includes guest_nice
  std::uint64_t system = 0;
  std::uint64_t idle = 0;
  std::uint64_t iowait = 0;
  std::uint64_t irq = 0;
  std::uint64_t softirq = 0;
  std::uint64_t steal = 0;  // the hypervisor ran someone else while this VM wanted the CPU

  // Time spent running something on this machine. Not idle or iowait (nothing to run), not
  // steal (this VM did not run); guest is already inside user and nice.
  std::uint64_t busy() const { return user + nice + system + irq + softirq; }
};

// Fields missing on old kernels (before steal existed) read as 0. nullopt when the text does
// not start with the aggregate "cpu " line or has fewer than four numbers.
std::optional<CpuTimes> parse_cpu_times(std::string_view proc_stat);
// This machine's, now; nullopt when /proc/stat cannot be read.
std::optional<CpuTimes> read_cpu_times();

}  // namespace bench
