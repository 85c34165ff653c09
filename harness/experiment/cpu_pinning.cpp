#include "experiment/cpu_pinning.hpp"

#include <cerrno>
#include <cstring>

#include "flag_cpu_list.hpp"

namespace bench {

std::optional<std::vector<int>> parse_cpu_list(const std::string& list) {
  return flags::parse_cpu_list(list, CPU_SETSIZE);
}

bool cpu_set_of(const std::string& list, cpu_set_t& out) {
  CPU_ZERO(&out);
  const auto cpus = parse_cpu_list(list);
  if (!cpus) return false;
  for (int c : *cpus) CPU_SET(c, &out);
  return CPU_COUNT(&out) > 0;
}

std::string thread_cpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return {};
  std::string out;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (!CPU_ISSET(c, &set)) continue;
    int end = c;
    while (end + 1 < CPU_SETSIZE && CPU_ISSET(end + 1, &set)) ++end;
    if (!out.empty()) out += ",";
    out += end == c ? std::to_string(c) : std::to_string(c) + "-" + std::to_string(end);
    c = end;
  }
  return out;
}

ScopedAffinity::ScopedAffinity(const std::string& list) {
  cpu_set_t want;
  if (list.empty() || !cpu_set_of(list, want)) return;
  if (sched_getaffinity(0, sizeof saved_, &saved_) != 0) return;
  active_ = sched_setaffinity(0, sizeof want, &want) == 0;
}

ScopedAffinity::~ScopedAffinity() {
  if (active_) sched_setaffinity(0, sizeof saved_, &saved_);
}

std::string pin_this_thread(const std::string& list) {
  cpu_set_t want;
  if (!cpu_set_of(list, want)) return "not a CPU list: " + list;
  if (sched_setaffinity(0, sizeof want, &want) != 0) return std::strerror(errno);
  return {};
}

}  // namespace bench
