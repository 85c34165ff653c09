// Each thread sets its own affinity and policy (both are per thread on Linux). Between bursts
// they sleep (in short steps, to answer stop()), so the injector costs nothing outside them;
// a SCHED_FIFO thread that wakes preempts every SCHED_OTHER thread on its CPU at once. The
// CPUs are those this process may run on (a container's cpuset may allow fewer than exist).
#include "stall_injector.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace testsupport {

std::string StallInjector::start() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
    return std::string("cannot read this process's CPUs: ") + std::strerror(errno);
  const auto first = std::chrono::steady_clock::now() + options_.period;
  stop_ = false;
  unsigned cpus = 0;
  for (unsigned cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    ++cpus;
    const bool first_cpu = cpus == 1;
    threads_.emplace_back([this, cpu, first, first_cpu] { run(cpu, first, first_cpu); });
  }
  // Wait until every thread has tried to become real-time (a few microseconds each).
  while (ready_.load() < cpus) std::this_thread::yield();
  if (failed_.load() != 0) {
    stop();
    return why_.empty() ? "cannot run SCHED_FIFO threads" : why_;
  }
  return "";
}

void StallInjector::stop() {
  stop_ = true;
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void StallInjector::run(unsigned cpu, std::chrono::steady_clock::time_point first,
                        bool counts_bursts) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  int rc = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  if (rc == 0) {
    sched_param param{};
    param.sched_priority = 50;
    rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
    if (rc != 0 && failed_.fetch_add(1) == 0)
      why_ = std::string("SCHED_FIFO refused (needs root): ") + std::strerror(rc);
  } else if (failed_.fetch_add(1) == 0) {
    why_ =
        std::string("cannot pin a thread to CPU ") + std::to_string(cpu) + ": " + std::strerror(rc);
  }
  ready_.fetch_add(1);
  if (rc != 0) return;
  const auto end = first - options_.period + options_.total;
  for (auto burst_at = first; !stop_.load() && burst_at + options_.burst <= end;
       burst_at += options_.period) {
    // Sleep in short steps so stop() is answered within a few milliseconds.
    while (!stop_.load() && std::chrono::steady_clock::now() < burst_at)
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          burst_at - std::chrono::steady_clock::now(), std::chrono::milliseconds(5)));
    const auto burst_end = burst_at + options_.burst;
    while (!stop_.load() && std::chrono::steady_clock::now() < burst_end) {
    }  // the stall: this CPU runs nothing else
    if (counts_bursts) bursts_.fetch_add(1);
  }
}

}  // namespace testsupport
