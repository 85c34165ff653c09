// Resource samples of a server's whole process tree (the server and every descendant: pool
// workers, and whatever they spawn) plus the machine, from /proc. CPU% is measured between
// consecutive samples; a process seen for the first time gets its lifetime average.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sample/proc_stat.hpp"

namespace bench {

struct ResourceSample {
  pid_t pid = 0;             // 0 for the machine
  std::string role;          // server, worker, machine
  std::uint64_t rss_kb = 0;  // the machine: memory in use (MemTotal - MemAvailable)
  double cpu_pct = 0;        // of one core; the machine: of all cores, 0..100 x cores
  long threads = 0;          // the machine: all threads
};

class ProcSampler {
 public:
  explicit ProcSampler(pid_t root);
  std::vector<ResourceSample> sample();

 private:
  struct Seen {
    std::uint64_t cpu_ticks;
    std::uint64_t at_ns;
  };
  pid_t root_;
  std::map<pid_t, Seen> seen_;
  std::optional<MachineCpu> machine_;
  long ticks_per_s_;
  long page_kb_;
  unsigned cores_;
};

}  // namespace bench
