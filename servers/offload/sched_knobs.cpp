// The knobs as system calls. On Linux setpriority(PRIO_PROCESS, tid), sched_setscheduler(0)
// and sched_setaffinity(0) all act on one thread, which is what a pool of threads needs.
#include "sched_knobs.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "flag_cpu_list.hpp"

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

// The flags library's CPU list reader and writer (one for both programs), with this module's
// way of saying no: an error text.
std::string parse_cpu_list(std::string_view text, std::vector<int>& cpus) {
  const int count = cpu_count();
  auto parsed = flags::parse_cpu_list(text, count);
  if (!parsed || parsed->empty()) {
    cpus.clear();
    return "must be a CPU list like 1 or 0-3,6 with CPUs from 0 to " + std::to_string(count - 1);
  }
  cpus = std::move(*parsed);
  return {};
}

std::string format_cpu_list(const std::vector<int>& cpus) {
  return flags::format_cpu_list(cpus);
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
