// /proc/<pid>/stat: the command name in parentheses may hold spaces and parentheses, so
// fields are counted from the last ')'. Field numbers below are those of proc(5).
#include "sample/proc_stat.hpp"

#include "sample/cpu_times.hpp"

#include <sstream>
#include <vector>

namespace bench {

std::optional<ProcessStat> parse_process_stat(std::string_view line) {
  const auto open = line.find('(');
  const auto close = line.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return std::nullopt;
  ProcessStat s;
  try {
    s.pid = static_cast<pid_t>(std::stol(std::string(line.substr(0, open))));
  } catch (...) {
    return std::nullopt;
  }
  std::istringstream rest{std::string(line.substr(close + 1))};
  std::vector<std::string> f;  // f[0] is field 3 (state)
  for (std::string token; rest >> token;) f.push_back(token);
  if (f.size() < 22) return std::nullopt;
  try {
    s.state = f[0].empty() ? '?' : f[0][0];
    s.ppid = static_cast<pid_t>(std::stol(f[1]));           // field 4
    s.cpu_ticks = std::stoull(f[11]) + std::stoull(f[12]);  // fields 14, 15
    s.threads = std::stol(f[17]);                           // field 20
    s.start_ticks = std::stoull(f[19]);                     // field 22
    s.rss_pages = std::stol(f[21]);                         // field 24
  } catch (...) {
    return std::nullopt;
  }
  return s;
}

std::optional<MachineCpu> parse_machine_cpu(std::string_view proc_stat) {
  const auto t = parse_cpu_times(proc_stat);
  if (!t) return std::nullopt;
  MachineCpu m;
  m.total = t->user + t->nice + t->system + t->idle + t->iowait + t->irq + t->softirq + t->steal;
  m.busy = m.total - t->idle - t->iowait;
  return m;
}

std::optional<std::uint64_t> parse_meminfo_kb(std::string_view meminfo, std::string_view name) {
  std::size_t at = 0;
  while (at < meminfo.size()) {
    const auto end = meminfo.find('\n', at);
    const std::string_view line =
        meminfo.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    if (line.size() > name.size() && line.substr(0, name.size()) == name &&
        line[name.size()] == ':') {
      try {
        return std::stoull(std::string(line.substr(name.size() + 1)));
      } catch (...) {
        return std::nullopt;
      }
    }
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return std::nullopt;
}

}  // namespace bench
