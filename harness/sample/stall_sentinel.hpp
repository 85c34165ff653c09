// The stall sentinel, like cyclictest: a thread that sleeps 1 ms at a time on absolute
// CLOCK_MONOTONIC deadlines and records how late it wakes. An ordinary thread that wakes
// late was not run when it could have been: a hypervisor steal, a busy machine, an
// interrupt storm, a real-time hog. Whatever latency the harness measures in that instant
// carries the same delay, so the sentinel's oversleep is the machine's share of a tail.
// It costs about 1000 short wake-ups a second, well under 1% of a core.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <thread>

#include "stats/histogram.hpp"

namespace bench {

struct StallReading {
  Histogram oversleep_us;  // one value per wake-up, microseconds late
  double max_ms() const { return static_cast<double>(oversleep_us.max()) / 1000; }
  double p99_ms() const { return oversleep_us.value_at_quantile(0.99) / 1000; }
  std::uint64_t count() const { return oversleep_us.count(); }
};

class StallSentinel {
 public:
  explicit StallSentinel(std::chrono::nanoseconds period = std::chrono::milliseconds(1));
  ~StallSentinel();  // stops and joins the thread
  StallSentinel(const StallSentinel&) = delete;
  StallSentinel& operator=(const StallSentinel&) = delete;

  // The wake-ups since the previous take() (or the start), and starts a new period. Any
  // thread; holds the lock for a copy of the histogram (30 KiB), nothing more.
  StallReading take();

 private:
  void run();

  std::chrono::nanoseconds period_;
  std::mutex mutex_;
  StallReading current_;  // guarded by mutex_
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace bench
