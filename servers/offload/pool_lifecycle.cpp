// The pools' shared deadline and shutdown bookkeeping.
#include "pool_lifecycle.hpp"

#include <string>

namespace offload {

namespace {

// How often deadlines are checked: a timed-out job is answered at most this late.
constexpr std::uint64_t kDeadlineCheckMs = 20;

}  // namespace

PoolLifecycle::PoolLifecycle(uv_loop_t* loop, std::uint64_t job_timeout_ms,
                             std::function<void(std::uint64_t)> expire)
    : loop_(loop), job_timeout_ms_(job_timeout_ms) {
  if (job_timeout_ms_ > 0)
    deadline_ticker_.start(loop_, kDeadlineCheckMs,
                           [this, expire = std::move(expire)] { expire(uv_now(loop_)); });
}

std::uint64_t PoolLifecycle::deadline() const {
  return job_timeout_ms_ > 0 ? uv_now(loop_) + job_timeout_ms_ : 0;
}

void PoolLifecycle::time_out(const Done& done) {
  ++timed_out_;
  done({JobStatus::timed_out,
        {false, "job took longer than the job timeout (" + std::to_string(job_timeout_ms_) + " ms)",
         0, 0},
        {}});
}

void PoolLifecycle::stop(std::function<void()> stopped) {
  stopping_ = true;
  stopped_ = std::move(stopped);
}

void PoolLifecycle::finish() {
  deadline_ticker_.stop();
  auto stopped = std::move(stopped_);
  stopped_ = nullptr;
  if (stopped) stopped();
}

void PoolLifecycle::abandon() {
  stopping_ = true;
  abandoned_ = true;
  stopped_ = nullptr;
  deadline_ticker_.stop();
}

}  // namespace offload
