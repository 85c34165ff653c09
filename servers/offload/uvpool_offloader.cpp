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
    // A place is taken from acceptance until the job ends on its thread (a timed-out job still
    // holds one), not until its completion has come back to the loop.
    if (stopping_ || submitted_ - ended_.load() - cancelled_ >= threads_ + config_.max_queue)
      return Admission::full;
    ++submitted_;
    work_.emplace_back();
    Work& w = work_.back();
    w.self = std::prev(work_.end());
    w.pool = this;
    w.job = job;
    w.done = std::move(done);
    w.deadline_ms = config_.job_timeout_ms > 0 ? uv_now(loop_) + config_.job_timeout_ms : 0;
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

  // The Work items stay allocated: a pool thread may still be running one. The process exits
  // next, without libuv's exit-time join of its pool.
  std::vector<std::string> abandon() override {
    stopping_ = true;
    abandoned_ = true;
    stopped_ = nullptr;
    deadline_ticker_.stop();
    std::vector<std::string> left;
    for (auto& w : work_) {
      if (uv_cancel(reinterpret_cast<uv_req_t*>(&w.req)) == 0) continue;  // had not started
      left.push_back(describe(w.job) + " on a libuv pool thread" +
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

  static void run_job(uv_work_t* req) {  // a pool thread: touches no handle
    auto* w = static_cast<Work*>(req->data);
    thread_local bool knobs_applied = false;  // libuv offers no hook at thread start
    if (!knobs_applied) {
      knobs_applied = true;
      if (std::string err = apply_to_this_thread(w->pool->config_.worker_knobs); !err.empty())
        std::fprintf(stderr, "offload-server: uvpool thread: %s\n", err.c_str());
    }
    // libuv's threads live as long as the process and take no slot of their own: the first
    // job on each thread gives it the next worker number (its GnuPG home when there is one
    // per worker), as the thread pool's arena index does.
    thread_local std::size_t slot = w->pool->next_slot_.fetch_add(1) % w->pool->config_.workers;
    workloads::set_worker_slot(slot);
    w->pool->started_.fetch_add(1);
    w->timing.started_ns = uv_hrtime();
    w->result = workloads::run(w->job);
    w->timing.finished_ns = uv_hrtime();
    w->pool->ended_.fetch_add(1);
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
    if (abandoned_) return;
    if (!stopping_ || !work_.empty() || !stopped_) return;
    deadline_ticker_.stop();
    auto stopped = std::move(stopped_);
    stopped_ = nullptr;
    stopped();
  }

  uv_loop_t* loop_;
  PoolConfig config_;
  std::size_t threads_ = 4;
  std::list<Work> work_;       // submitted, not yet finished (stable addresses for the requests)
  std::size_t submitted_ = 0;  // loop thread
  std::size_t cancelled_ = 0;  // loop thread: taken back before a thread started them
  std::atomic<std::size_t> started_{0};
  std::atomic<std::size_t> ended_{0};
  std::atomic<std::size_t> next_slot_{0};
  bool abandoned_ = false;
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
