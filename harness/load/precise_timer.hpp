// A one-shot timer with nanosecond deadlines on the uv_hrtime() clock. libuv's own timers
// count whole milliseconds, which would add up to a millisecond of invented latency to every
// open-loop request (latency is measured from the intended send time): a timerfd armed with
// an absolute CLOCK_MONOTONIC deadline wakes the loop's epoll within microseconds instead.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>

namespace bench {

class PreciseTimer {
 public:
  PreciseTimer(uv_loop_t* loop, std::function<void()> fired);
  ~PreciseTimer();
  PreciseTimer(const PreciseTimer&) = delete;
  PreciseTimer& operator=(const PreciseTimer&) = delete;

  void arm(std::uint64_t deadline_ns);  // a deadline in the past fires at once
  void disarm();

 private:
  static void on_poll(uv_poll_t* poll, int status, int events);
  void readable();

  struct Box;  // the uv_poll_t and its timerfd, freed in the close callback
  Box* box_;
  std::function<void()> fired_;
};

}  // namespace bench
