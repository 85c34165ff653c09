// PoolLifecycle: what every pool with workers does around its jobs, written once. Each job's
// deadline (--job-timeout), checked on a Ticker, and its 504 answer; then the end of the pool:
// stop() (no new job; `stopped` runs once nothing of the pool is left) or abandon() (shutdown
// gave up on the pool: no callback ever again). The pool keeps its own jobs and workers; it
// asks this class when, and answers through it.
//
//   submit:  if (life_.stopping()) full; job.deadline = life_.deadline();
//   expire:  for each job with PoolLifecycle::past(job.deadline, now): take it out, then
//            life_.time_out(done) for each (after the loop: `done` may submit again)
//   stop:    life_.stop(stopped); ...; maybe_stopped()
//   maybe_stopped: if (!life_.ready_to_finish(nothing_left)) return; close handles; finish()
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "offloader.hpp"
#include "ticker.hpp"

namespace offload {

class PoolLifecycle {
 public:
  // `expire(now_ms)` runs on the loop every few milliseconds while jobs have a deadline
  // (job_timeout_ms > 0), until finish() or abandon().
  PoolLifecycle(uv_loop_t* loop, std::uint64_t job_timeout_ms,
                std::function<void(std::uint64_t now_ms)> expire);
  PoolLifecycle(const PoolLifecycle&) = delete;
  PoolLifecycle& operator=(const PoolLifecycle&) = delete;

  // The deadline of a job accepted now, on the loop's clock (ms); 0 when jobs have none.
  std::uint64_t deadline() const;
  static bool past(std::uint64_t deadline_ms, std::uint64_t now_ms) {
    return deadline_ms != 0 && now_ms >= deadline_ms;
  }
  // Moves the jobs of `queue` (elements with deadline_ms and done) that are past their
  // deadline out of it, their `done` onto `late`, in queue order.
  template <class Queue>
  static void take_late(Queue& queue, std::uint64_t now_ms, std::vector<Done>& late) {
    for (auto it = queue.begin(); it != queue.end();) {
      if (past(it->deadline_ms, now_ms)) {
        late.push_back(std::move(it->done));
        it = queue.erase(it);
      } else {
        ++it;
      }
    }
  }
  // Answers one job past its deadline (a 504 with the timeout in its reason) and counts it.
  void time_out(const Done& done);
  std::uint64_t timed_out() const { return timed_out_; }

  // From stop() or abandon() on, the pool takes no new job.
  bool stopping() const { return stopping_; }
  bool abandoned() const { return abandoned_; }
  void stop(std::function<void()> stopped);
  // True when stop() was called, nothing of the pool is left (`idle`) and `stopped` has not run
  // yet: the pool then closes its own handles and calls finish().
  bool ready_to_finish(bool idle) const { return stopping_ && idle && stopped_ != nullptr; }
  // Ends the deadline checks and runs `stopped`, once.
  void finish();
  void abandon();

 private:
  uv_loop_t* loop_;
  std::uint64_t job_timeout_ms_;
  std::uint64_t timed_out_ = 0;
  bool stopping_ = false;
  bool abandoned_ = false;
  std::function<void()> stopped_;
  Ticker deadline_ticker_;
};

}  // namespace offload
