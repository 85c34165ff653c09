// The knobs as system calls. On Linux setpriority(PRIO_PROCESS, tid), sched_setscheduler(0)
// and sched_setaffinity(0) all act on one thread, which is what a pool of threads needs.
#include "sched_knobs.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace offload {

namespace {

int cpu_count() {
  return static_cast<int>(sysconf(_SC_NPROCESSORS_CONF));
}

std::string set_affinity(const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int cpu : cpus) CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0)
    return "CPU affinity " + format_cpu_list(cpus) + " refused: " + std::strerror(errno);
  return {};
}

}  // namespace

std::string apply_to_this_thread(const SchedKnobs& knobs) {
  std::string refused;
  auto note = [&refused](const std::string& why) {
    if (!why.empty()) refused += (refused.empty() ? "" : "; ") + why;
  };
  if (knobs.policy != "normal") {
    sched_param param{};
    const int policy = knobs.policy == "idle" ? SCHED_IDLE : SCHED_BATCH;
    if (sched_setscheduler(0, policy, &param) != 0)
      note("policy " + knobs.policy + " refused: " + std::strerror(errno));
  }
  if (knobs.nice != 0) {
    const auto tid = static_cast<id_t>(syscall(SYS_gettid));
    if (setpriority(PRIO_PROCESS, tid, knobs.nice) != 0)
      note("nice " + std::to_string(knobs.nice) + " refused: " + std::strerror(errno));
  }
  if (!knobs.cpus.empty()) note(set_affinity(knobs.cpus));
  return refused;
}

std::string pin_this_thread(int cpu) {
  return set_affinity({cpu});
}

std::string parse_cpu_list(std::string_view text, std::vector<int>& cpus) {
  cpus.clear();
  const int count = cpu_count();
  const std::string rule =
      "must be a CPU list like 1 or 0-3,6 with CPUs from 0 to " + std::to_string(count - 1);
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const auto dash = item.find('-');
    int lo = 0, hi = 0;
    const std::string_view a = item.substr(0, dash);
    const std::string_view b = dash == std::string_view::npos ? a : item.substr(dash + 1);
    if (a.empty() || b.empty() ||
        std::from_chars(a.data(), a.data() + a.size(), lo).ptr != a.data() + a.size() ||
        std::from_chars(b.data(), b.data() + b.size(), hi).ptr != b.data() + b.size() || lo < 0 ||
        hi < lo || hi >= count)
      return rule;
    for (int cpu = lo; cpu <= hi; ++cpu) cpus.push_back(cpu);
  }
  if (cpus.empty()) return rule;
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return {};
}

std::string format_cpu_list(const std::vector<int>& cpus) {
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(cpus[i]);
    if (j > i) out += "-" + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

std::vector<int> cpus_except(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set) && c != cpu) cpus.push_back(c);
  return cpus;
}

}  // namespace offload
