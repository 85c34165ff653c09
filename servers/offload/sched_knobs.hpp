// Scheduling knobs for workers and the loop: nice, policy (normal/batch/idle) and CPU
// affinity, applied per thread (Linux schedules threads, not processes), and reported as
// applied or refused. The question they answer: can the loop get a core the moment a cheap
// request arrives while every other core is busy with jobs?
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace offload {

struct SchedKnobs {
  int nice = 0;                   // added niceness for workers (0: unchanged)
  std::string policy = "normal";  // normal | batch | idle
  std::vector<int> cpus;          // allowed CPUs for workers; empty: unchanged

  bool any() const { return nice != 0 || policy != "normal" || !cpus.empty(); }
};

// Applies the knobs to the calling thread (and so to what it forks later). Returns "" or a
// one-line reason naming the knob that was refused.
std::string apply_to_this_thread(const SchedKnobs& knobs);

// Pins the calling thread to one CPU. "" or the reason.
std::string pin_this_thread(int cpu);

// "0-3,6" -> {0,1,2,3,6}. "" or the reason; CPUs must exist on this machine.
std::string parse_cpu_list(std::string_view text, std::vector<int>& cpus);
std::string format_cpu_list(const std::vector<int>& cpus);

// Every CPU this process may use, except `cpu`: the workers' default when the loop has a CPU
// of its own.
std::vector<int> cpus_except(int cpu);

}  // namespace offload
