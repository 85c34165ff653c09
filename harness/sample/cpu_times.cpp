// proc(5): cpu user nice system idle iowait irq softirq steal guest guest_nice.
#include "sample/cpu_times.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace bench {

std::optional<CpuTimes> parse_cpu_times(std::string_view proc_stat) {
  if (proc_stat.substr(0, 4) != "cpu ") return std::nullopt;
  std::istringstream in{std::string(proc_stat.substr(4, proc_stat.find('\n') - 4))};
  std::uint64_t v[8] = {};
  int n = 0;
  while (n < 8 && in >> v[n]) ++n;
  if (n < 4) return std::nullopt;
  return CpuTimes{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
}

std::optional<CpuTimes> read_cpu_times() {
  std::ifstream in("/proc/stat");
  std::string first_line;
  if (!std::getline(in, first_line)) return std::nullopt;
  return parse_cpu_times(first_line);
}

}  // namespace bench
