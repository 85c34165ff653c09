#include "process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "prom_text.hpp"

namespace app {

namespace {

void metric(std::string& out, const char* name, const char* type, const char* help, double value) {
  offload::prom::single(out, name, type, help, value);
}

// Fields of /proc/self/stat after "pid (comm) ", 1-based as proc(5) numbers them from 3.
bool stat_fields(unsigned long long& start_ticks, unsigned long long& vsize, long long& rss_pages) {
  std::ifstream in("/proc/self/stat");
  std::string text;
  std::getline(in, text);
  const auto close = text.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  for (int i = 3; fields >> field; ++i) {
    if (i == 22) start_ticks = std::stoull(field);
    if (i == 23) vsize = std::stoull(field);
    if (i == 24) {
      rss_pages = std::stoll(field);
      return true;
    }
  }
  return false;
}

// The boot time, seconds since the epoch (/proc/stat's btime).
bool boot_time(unsigned long long& btime) {
  std::ifstream in("/proc/stat");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("btime ", 0) == 0) {
      btime = std::stoull(line.substr(6));
      return true;
    }
  return false;
}

}  // namespace

void render_process_metrics(std::string& out) {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    metric(out, "process_cpu_seconds_total", "counter",
           "Total user and system CPU time spent in seconds.", cpu);
  }
  unsigned long long start_ticks = 0, vsize = 0, btime = 0;
  long long rss_pages = 0;
  try {
    if (stat_fields(start_ticks, vsize, rss_pages)) {
      metric(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
             static_cast<double>(rss_pages) * static_cast<double>(sysconf(_SC_PAGESIZE)));
      metric(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
             static_cast<double>(vsize));
      if (boot_time(btime))
        metric(out, "process_start_time_seconds", "gauge",
               "Start time of the process since unix epoch in seconds.",
               static_cast<double>(btime) +
                   static_cast<double>(start_ticks) / static_cast<double>(sysconf(_SC_CLK_TCK)));
    }
  } catch (const std::exception&) {
    // An unreadable /proc line: those figures are left out.
  }
  std::error_code ec;
  std::size_t fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++fds;
  if (!ec && fds > 0)  // less the descriptor that listed them
    metric(out, "process_open_fds", "gauge", "Number of open file descriptors.",
           static_cast<double>(fds - 1));
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0)
    metric(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
           static_cast<double>(lim.rlim_cur));
}

}  // namespace app
