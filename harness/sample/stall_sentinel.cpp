// Timer slack is set to 1 ns on the sentinel thread: the default 50 us slack would be
// counted as oversleep on every wake-up. After a long oversleep the next deadline is taken
// from now, not from the missed one: catching up on missed deadlines would record one stall
// as a train of shrinking ones and inflate the p99.
#include "sample/stall_sentinel.hpp"

#include <sys/prctl.h>
#include <time.h>

#include <cerrno>

namespace bench {

namespace {

std::uint64_t to_ns(const timespec& t) {
  return static_cast<std::uint64_t>(t.tv_sec) * 1'000'000'000ull +
         static_cast<std::uint64_t>(t.tv_nsec);
}

timespec from_ns(std::uint64_t ns) {
  timespec t{};
  t.tv_sec = static_cast<time_t>(ns / 1'000'000'000ull);
  t.tv_nsec = static_cast<long>(ns % 1'000'000'000ull);
  return t;
}

std::uint64_t now_ns() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return to_ns(t);
}

}  // namespace

StallSentinel::StallSentinel(std::chrono::nanoseconds period)
    : period_(period), thread_([this] { run(); }) {}

StallSentinel::~StallSentinel() {
  stop_ = true;
  thread_.join();  // at most one period away
}

StallReading StallSentinel::take() {
  std::lock_guard<std::mutex> lock(mutex_);
  StallReading r = current_;
  current_.oversleep_us.reset();
  return r;
}

void StallSentinel::run() {
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  const auto period = static_cast<std::uint64_t>(period_.count());
  std::uint64_t deadline = now_ns() + period;
  while (!stop_.load(std::memory_order_relaxed)) {
    const timespec at = from_ns(deadline);
    int rc;
    do {
      rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr);
    } while (rc == EINTR);
    const std::uint64_t woke = now_ns();
    const std::uint64_t late_us = woke > deadline ? (woke - deadline + 500) / 1000 : 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      current_.oversleep_us.record(late_us);
    }
    deadline += period;
    if (deadline <= woke) deadline = woke + period;
  }
}

}  // namespace bench
