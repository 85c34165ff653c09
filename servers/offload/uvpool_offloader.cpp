// uvpool: libuv's own thread pool (uv_queue_work), sized by UV_THREADPOOL_SIZE: what a Node.js
// program gets by default when it pushes work off its event loop. Measured beside the oneTBB
// pool so the difference between the two is visible.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <list>
#include <mutex>
#include <string>

#include "pool_lifecycle.hpp"
#include "strategy_registry.hpp"

namespace offload {

namespace {

// Tells one pool from another for the threads' cached worker: libuv's threads outlive a pool
// (a test makes several in one process), so a thread must not reuse the previous pool's.
std::atomic<std::uint64_t> pool_serials{0};

class UvPoolOffloader final : public Offloader {
 public:
  explicit UvPoolOffloader(const OffloadSetup& setup)
      : loop_(setup.loop),
        config_(setup.pool),
        workload_(*setup.workload),
        life_(setup.loop, setup.pool.job_timeout_ms, [this](std::uint64_t now) { expire(now); }) {
    // libuv reads the size once, at the first uv_queue_work of the process; a user's own
    // UV_THREADPOOL_SIZE wins, as it would in Node.js.
    if (std::getenv("UV_THREADPOOL_SIZE") == nullptr)
      setenv("UV_THREADPOOL_SIZE", std::to_string(config_.workers).c_str(), 1);
    threads_ = static_cast<std::size_t>(std::atoi(std::getenv("UV_THREADPOOL_SIZE")));
  }

  Admission submit(workloads::Job job, Done done) override {
    // A place is taken from acceptance until the job ends on its thread (a timed-out job still
    // holds one), not until its completion has come back to the loop.
    if (life_.stopping() || submitted_ - ended_.load() - cancelled_ >= threads_ + config_.max_queue)
      return Admission::full;
    ++submitted_;
    work_.emplace_back();
    Work& w = work_.back();
    w.self = std::prev(work_.end());
    w.pool = this;
    w.job = std::move(job);
    w.done = std::move(done);
    w.deadline_ms = life_.deadline();
    w.timing.accepted_ns = uv_hrtime();
    w.req.data = &w;
    uv_queue_work(loop_, &w.req, run_job, finished);
    return Admission::accepted;
  }

  PoolStats stats() const override {
    // `ended` before `started`: see the thread pool.
    const std::size_t ended = ended_.load();
    const std::size_t started = started_.load();
    PoolStats s;
    s.queued = submitted_ - started - cancelled_;
    s.running = started - ended;
    s.workers = threads_;
    s.timed_out = life_.timed_out();
    return s;
  }

  void stop(std::function<void()> stopped) override {
    life_.stop(std::move(stopped));
    // Work not yet picked up by a pool thread can be cancelled; it ends with UV_ECANCELED.
    for (auto& w : work_) uv_cancel(reinterpret_cast<uv_req_t*>(&w.req));
    maybe_stopped();
  }

  // The Work items stay allocated: a pool thread may still be running one. The process exits
  // next, without libuv's exit-time join of its pool.
  std::vector<std::string> abandon() override {
    life_.abandon();
    std::vector<std::string> left;
    for (auto& w : work_) {
      if (uv_cancel(reinterpret_cast<uv_req_t*>(&w.req)) == 0) continue;  // had not started
      left.push_back(w.job->describe() + " on a libuv pool thread" +
                     (w.done ? "" : " (already answered: past the job timeout)"));
      w.done = nullptr;
    }
    return left;
  }

 private:
  struct Work {
    uv_work_t req;
    UvPoolOffloader* pool;
    workloads::Job job;
    workloads::Result result;  // written on the pool thread, read in `finished` on the loop
    JobTiming timing;          // started/finished written on the pool thread, like result
    Done done;                 // empty once answered (timed out)
    std::uint64_t deadline_ms;
    std::list<Work>::iterator self;
  };

  // The calling pool thread's worker, made on its first job for this pool. libuv's threads
  // live as long as the process and take no slot of their own: the first job on each thread
  // gives it the next worker number (its GnuPG home when there is one per worker), as the
  // thread pool's arena index does.
  workloads::Worker& this_threads_worker() {
    thread_local std::uint64_t cached_for = 0;
    thread_local workloads::Worker* cached = nullptr;
    if (cached_for != serial_ || cached == nullptr) {
      std::lock_guard<std::mutex> lock(workers_mutex_);
      const std::size_t slot = workers_.size() % config_.workers;
      workers_.push_back(workload_.make_worker(slot));
      cached = workers_.back().get();
      cached_for = serial_;
    }
    return *cached;
  }

  static void run_job(uv_work_t* req) {  // a pool thread: touches no handle
    auto* w = static_cast<Work*>(req->data);
    UvPoolOffloader* pool = w->pool;
    thread_local bool knobs_applied = false;  // libuv offers no hook at thread start
    if (!knobs_applied) {
      knobs_applied = true;
      if (std::string err = apply_to_this_thread(pool->config_.worker_knobs); !err.empty())
        std::fprintf(stderr, "offload-server: uvpool thread: %s\n", err.c_str());
    }
    workloads::Worker& worker = pool->this_threads_worker();
    pool->started_.fetch_add(1);
    w->timing.started_ns = uv_hrtime();
    w->result = workloads::run(worker, *w->job);
    w->timing.finished_ns = uv_hrtime();
    pool->ended_.fetch_add(1);
  }

  static void finished(uv_work_t* req, int status) {  // the loop
    auto* w = static_cast<Work*>(req->data);
    UvPoolOffloader* pool = w->pool;
    Done done = std::move(w->done);
    JobOutcome outcome{JobStatus::done, std::move(w->result), w->timing};
    if (status == UV_ECANCELED) {
      ++pool->cancelled_;
      outcome = {JobStatus::cancelled, {false, "server is shutting down", 0, 0}, {}};
    }
    pool->work_.erase(w->self);
    if (done) done(std::move(outcome));
    pool->maybe_stopped();
  }

  // Answers late jobs now; the pool thread cannot be interrupted and finishes for nothing.
  void expire(std::uint64_t now) {
    std::vector<Done> late;
    for (auto& w : work_) {
      if (!w.done || !PoolLifecycle::past(w.deadline_ms, now)) continue;
      late.push_back(std::move(w.done));
      w.done = nullptr;
    }
    for (auto& done : late) life_.time_out(done);
  }

  void maybe_stopped() {
    if (life_.ready_to_finish(work_.empty())) life_.finish();
  }

  uv_loop_t* loop_;
  PoolConfig config_;
  workloads::Workload& workload_;
  std::size_t threads_ = 4;
  std::list<Work> work_;       // submitted, not yet finished (stable addresses for the requests)
  std::size_t submitted_ = 0;  // loop thread
  std::size_t cancelled_ = 0;  // loop thread: taken back before a thread started them
  std::atomic<std::size_t> started_{0};
  std::atomic<std::size_t> ended_{0};
  const std::uint64_t serial_ = ++pool_serials;
  std::mutex workers_mutex_;  // guards workers_: pool threads add theirs
  std::deque<std::unique_ptr<workloads::Worker>> workers_;  // one per thread that ran a job
  PoolLifecycle life_;                                      // deadlines and the end of the pool
};

}  // namespace

// Its entry in the registry (strategy_registry.cpp): name, description, knobs, whether the
// workload runs in this process, factory.
Strategy uvpool_strategy() {
  return {"uvpool", "on libuv's own thread pool (uv_queue_work), what Node.js gives by default",
          pool_knobs(), true, make_from_setup<UvPoolOffloader>};
}

}  // namespace offload
