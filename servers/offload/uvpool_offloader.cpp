// uvpool: libuv's own thread pool (uv_queue_work), sized by UV_THREADPOOL_SIZE: what a Node.js
// program gets by default when it pushes work off its event loop. Measured beside the oneTBB
// pool so the difference between the two is visible.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <list>
#include <string>

#include "offloader.hpp"
#include "ticker.hpp"

namespace offload {

namespace {

constexpr std::uint64_t kDeadlineCheckMs = 20;

class UvPoolOffloader final : public Offloader {
 public:
  UvPoolOffloader(uv_loop_t* loop, const PoolConfig& config) : loop_(loop), config_(config) {
    // libuv reads the size once, at the first uv_queue_work of the process; a user's own
    // UV_THREADPOOL_SIZE wins, as it would in Node.js.
    if (std::getenv("UV_THREADPOOL_SIZE") == nullptr)
      setenv("UV_THREADPOOL_SIZE", std::to_string(config.workers).c_str(), 1);
    threads_ = static_cast<std::size_t>(std::atoi(std::getenv("UV_THREADPOOL_SIZE")));
    if (config_.job_timeout_ms > 0)
      deadline_ticker_.start(loop_, kDeadlineCheckMs, [this] { expire(); });
  }

  ~UvPoolOffloader() override { deadline_ticker_.stop(); }

  Admission submit(workloads::Job job, Done done) override {
    if (stopping_ || work_.size() >= threads_ + config_.max_queue) return Admission::full;
    work_.emplace_back();
    Work& w = work_.back();
    w.self = std::prev(work_.end());
    w.pool = this;
    w.job = job;
    w.done = std::move(done);
    w.deadline_ms = config_.job_timeout_ms > 0 ? uv_now(loop_) + config_.job_timeout_ms : 0;
    w.req.data = &w;
    uv_queue_work(loop_, &w.req, run_job, finished);
    return Admission::accepted;
  }

  PoolStats stats() const override {
    PoolStats s;
    s.running = running_.load();
    s.queued = work_.size() > s.running ? work_.size() - s.running : 0;
    s.workers = threads_;
    s.timed_out = timed_out_;
    return s;
  }

  void stop(std::function<void()> stopped) override {
    stopping_ = true;
    stopped_ = std::move(stopped);
    // Work not yet picked up by a pool thread can be cancelled; it ends with UV_ECANCELED.
    for (auto& w : work_) uv_cancel(reinterpret_cast<uv_req_t*>(&w.req));
    maybe_stopped();
  }

 private:
  struct Work {
    uv_work_t req;
    UvPoolOffloader* pool;
    workloads::Job job;
    workloads::Result result;  // written on the pool thread, read in `finished` on the loop
    Done done;                 // empty once answered (timed out)
    std::uint64_t deadline_ms;
    std::list<Work>::iterator self;
  };

  static void run_job(uv_work_t* req) {  // a pool thread: touches no handle
    auto* w = static_cast<Work*>(req->data);
    thread_local bool knobs_applied = false;  // libuv offers no hook at thread start
    if (!knobs_applied) {
      knobs_applied = true;
      if (std::string err = apply_to_this_thread(w->pool->config_.worker_knobs); !err.empty())
        std::fprintf(stderr, "offload-server: uvpool thread: %s\n", err.c_str());
    }
    w->pool->running_.fetch_add(1);
    w->result = workloads::run(w->job);
    w->pool->running_.fetch_sub(1);
  }

  static void finished(uv_work_t* req, int status) {  // the loop
    auto* w = static_cast<Work*>(req->data);
    UvPoolOffloader* pool = w->pool;
    Done done = std::move(w->done);
    JobOutcome outcome{JobStatus::done, std::move(w->result)};
    if (status == UV_ECANCELED)
      outcome = {JobStatus::cancelled, {false, "server is shutting down", 0, 0}};
    pool->work_.erase(w->self);
    if (done) done(std::move(outcome));
    pool->maybe_stopped();
  }

  // Answers late jobs now; the pool thread cannot be interrupted and finishes for nothing.
  void expire() {
    const std::uint64_t now = uv_now(loop_);
    for (auto& w : work_) {
      if (!w.done || w.deadline_ms == 0 || now < w.deadline_ms) continue;
      Done done = std::move(w.done);
      w.done = nullptr;
      ++timed_out_;
      done(timed_out_outcome(config_.job_timeout_ms));
    }
  }

  void maybe_stopped() {
    if (!stopping_ || !work_.empty() || !stopped_) return;
    deadline_ticker_.stop();
    auto stopped = std::move(stopped_);
    stopped_ = nullptr;
    stopped();
  }

  uv_loop_t* loop_;
  PoolConfig config_;
  std::size_t threads_ = 4;
  std::list<Work> work_;  // submitted, not yet finished (stable addresses for the requests)
  std::atomic<std::size_t> running_{0};
  std::uint64_t timed_out_ = 0;
  Ticker deadline_ticker_;  // answers jobs past their deadline
  bool stopping_ = false;
  std::function<void()> stopped_;
};

}  // namespace

std::unique_ptr<Offloader> make_uvpool_offloader(uv_loop_t* loop, const PoolConfig& config) {
  return std::make_unique<UvPoolOffloader>(loop, config);
}

}  // namespace offload
