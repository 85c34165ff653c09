// Test support: machine stalls on demand. One thread per CPU, each pinned to its CPU and
// running SCHED_FIFO, busy-loops for `burst` every `period` (all CPUs at the same instants),
// so every ordinary thread on the machine, the harness's included, is held off for the
// burst: a hypervisor steal or a real-time hog, made to measure. Bounded: it stops by itself
// after `total`, and on stop() or destruction. Real-time threads need root (CAP_SYS_NICE);
// start() says why when it cannot, so the test can skip. The kernel's real-time throttling
// (95% of each second by default) is a further safety net.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace testsupport {

class StallInjector {
 public:
  struct Options {
    std::chrono::milliseconds burst{30};
    std::chrono::milliseconds period{300};
    std::chrono::milliseconds total{3000};
  };

  StallInjector() : StallInjector(Options{}) {}
  explicit StallInjector(Options options) : options_(options) {}
  ~StallInjector() { stop(); }
  StallInjector(const StallInjector&) = delete;
  StallInjector& operator=(const StallInjector&) = delete;

  // "" when the threads run with SCHED_FIFO on every CPU; else the reason they do not (and
  // none runs). The first burst starts one period after start().
  std::string start();
  void stop();                                   // joins every thread; at most one burst away
  int bursts() const { return bursts_.load(); }  // bursts completed by the first CPU's thread

 private:
  void run(unsigned cpu, std::chrono::steady_clock::time_point first, bool counts_bursts);

  Options options_;
  std::atomic<bool> stop_{false};
  std::atomic<int> bursts_{0};
  std::atomic<int> failed_{0};
  std::atomic<unsigned> ready_{0};
  std::vector<std::thread> threads_;
  std::string why_;
};

}  // namespace testsupport
