// Parsers for the /proc files the resource sampler reads, kept apart from the file access
// so they can be tested on fixed text.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bench {

struct ProcessStat {  // from /proc/<pid>/stat
  pid_t pid = 0;
  pid_t ppid = 0;
  char state = '?';
  std::uint64_t cpu_ticks = 0;    // utime + stime
  std::uint64_t start_ticks = 0;  // since boot
  long threads = 0;
  long rss_pages = 0;
};

struct MachineCpu {  // the aggregate "cpu" line of /proc/stat, in ticks
  std::uint64_t busy = 0;
  std::uint64_t total = 0;
};

std::optional<ProcessStat> parse_process_stat(std::string_view line);
std::optional<MachineCpu> parse_machine_cpu(std::string_view proc_stat);
// A "Name:   1234 kB" field of /proc/meminfo, in kB.
std::optional<std::uint64_t> parse_meminfo_kb(std::string_view meminfo, std::string_view name);

}  // namespace bench
