// thread: jobs run on a oneTBB task_arena of `workers` threads; results come home through a
// Mailbox, so completions always run on the loop thread.
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_scheduler_observer.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "mailbox.hpp"
#include "offloader.hpp"
#include "ticker.hpp"

namespace offload {

namespace {

constexpr std::uint64_t kDeadlineCheckMs = 20;

struct Finished {
  std::uint64_t id;
  JobOutcome outcome;
};

// Applies the worker knobs on each TBB thread as it joins the arena (once per thread: the
// settings stay with the thread).
class KnobObserver final : public tbb::task_scheduler_observer {
 public:
  KnobObserver(tbb::task_arena& arena, SchedKnobs knobs)
      : tbb::task_scheduler_observer(arena), knobs_(std::move(knobs)) {
    if (knobs_.any()) observe(true);
  }
  ~KnobObserver() override { observe(false); }

  void on_scheduler_entry(bool) override {
    thread_local bool applied = false;
    if (applied) return;
    applied = true;
    if (std::string err = apply_to_this_thread(knobs_); !err.empty()) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (refused_.empty())
        std::fprintf(stderr, "offload-server: worker thread: %s\n", err.c_str());
      refused_ = err;
    }
  }

  std::string refused() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return refused_;
  }

 private:
  SchedKnobs knobs_;
  mutable std::mutex mutex_;
  std::string refused_;
};

// What the tasks share with the loop; tasks hold it by shared_ptr so it outlives the pool.
struct Shared {
  Shared(uv_loop_t* loop, Mailbox<Finished>::Deliver deliver) : mailbox(loop, std::move(deliver)) {}
  std::atomic<bool> stopping{false};
  // Tasks that have begun (run or skipped) and ended. With the loop's own count of submitted
  // jobs they give the queue (submitted - started) and the threads taken (started - ended)
  // without counting a finished job whose result still waits in the mailbox.
  std::atomic<std::size_t> started{0};
  std::atomic<std::size_t> ended{0};
  Mailbox<Finished> mailbox;
};

class ThreadOffloader final : public Offloader {
 public:
  ThreadOffloader(uv_loop_t* loop, const PoolConfig& config)
      // TBB caps its worker threads at the core count minus one unless told otherwise: on 2
      // cores that would be a single worker whatever the arena asks for.
      : parallelism_(tbb::global_control::max_allowed_parallelism, config.workers + 1),
        // No slot reserved for an external thread: the loop thread never joins the arena.
        arena_(static_cast<int>(config.workers), 0),
        loop_(loop),
        config_(config),
        shared_(std::make_shared<Shared>(
            loop, [this](std::vector<Finished>& batch) { deliver(batch); })) {
    arena_.initialize();
    observer_.emplace(arena_, config_.worker_knobs);
    if (config_.job_timeout_ms > 0)
      deadline_ticker_.start(loop_, kDeadlineCheckMs, [this] { expire(); });
  }

  ~ThreadOffloader() override {
    shared_->mailbox.close();  // no delivery into a dead pool
    deadline_ticker_.stop();
  }

  Admission submit(workloads::Job job, Done done) override {
    // A place is taken from acceptance until the task ends: timed-out jobs still hold a
    // thread or a queue place while their task runs or waits to be skipped.
    if (stopping_ || submitted_ - shared_->ended.load() >= config_.workers + config_.max_queue)
      return Admission::full;
    const std::uint64_t id = ++next_id_;
    ++submitted_;
    auto abandoned = std::make_shared<std::atomic<bool>>(false);
    const std::uint64_t deadline =
        config_.job_timeout_ms > 0 ? uv_now(loop_) + config_.job_timeout_ms : 0;
    const std::uint64_t accepted_ns = uv_hrtime();
    waiting_.emplace(id, Waiting{std::move(done), deadline, abandoned, job});
    // enqueue, not task_group::run: the work must start without anyone calling wait().
    arena_.enqueue([shared = shared_, id, job, abandoned, accepted_ns] {
      shared->started.fetch_add(1);
      JobOutcome outcome;
      if (shared->stopping.load() || abandoned->load()) {
        outcome.status = JobStatus::cancelled;
        outcome.result.text = "not started: server stopping or job timed out";
      } else {
        // Worker i of the arena uses GnuPG home i when there is one per worker.
        workloads::set_worker_slot(
            static_cast<std::size_t>(tbb::this_task_arena::current_thread_index()));
        outcome.timing.accepted_ns = accepted_ns;
        outcome.timing.started_ns = uv_hrtime();
        outcome.result = workloads::run(job);
        outcome.timing.finished_ns = uv_hrtime();
      }
      shared->ended.fetch_add(1);
      shared->mailbox.post({id, std::move(outcome)});
    });
    return Admission::accepted;
  }

  PoolStats stats() const override {
    // Read `ended` first: a task that ends between the two reads makes `running` one too
    // high for an instant, never negative.
    const std::size_t ended = shared_->ended.load();
    const std::size_t started = shared_->started.load();
    PoolStats s;
    s.queued = submitted_ - started;
    s.running = started - ended;
    s.workers = config_.workers;
    s.timed_out = timed_out_;
    s.knobs_refused = observer_->refused();
    return s;
  }

  void stop(std::function<void()> stopped) override {
    stopping_ = true;
    shared_->stopping.store(true);
    stopped_ = std::move(stopped);
    maybe_stopped();
  }

  std::vector<std::string> abandon() override {
    stopping_ = true;
    shared_->stopping.store(true);
    stopped_ = nullptr;
    std::vector<std::string> left;
    for (const auto& [id, w] : waiting_)
      left.push_back(describe(w.job) + " on a worker thread (job " + std::to_string(id) + ")");
    if (abandoned_ > 0)
      left.push_back(std::to_string(abandoned_) +
                     " job(s) past the job timeout, still running on worker threads");
    waiting_.clear();
    // Tasks still running find the mailbox closed and drop their result.
    shared_->mailbox.close();
    deadline_ticker_.stop();
    return left;
  }

 private:
  struct Waiting {
    Done done;
    std::uint64_t deadline_ms;  // 0: none
    std::shared_ptr<std::atomic<bool>> abandoned;
    workloads::Job job;  // named in the log if shutdown has to leave it running
  };

  void deliver(std::vector<Finished>& batch) {
    for (auto& finished : batch) {
      auto it = waiting_.find(finished.id);
      if (it == waiting_.end()) {
        --abandoned_;  // a timed-out job's task has ended: its place is free again
        continue;
      }
      Done done = std::move(it->second.done);
      waiting_.erase(it);
      done(std::move(finished.outcome));
    }
    maybe_stopped();
  }

  // Answers jobs past their deadline. The task cannot be interrupted (a thread running fib
  // has no safe stopping point); if it has not started it will skip the work.
  void expire() {
    const std::uint64_t now = uv_now(loop_);
    std::vector<Done> late;
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      if (it->second.deadline_ms != 0 && now >= it->second.deadline_ms) {
        it->second.abandoned->store(true);
        late.push_back(std::move(it->second.done));
        it = waiting_.erase(it);
        ++abandoned_;
        ++timed_out_;
      } else {
        ++it;
      }
    }
    for (auto& done : late) done(timed_out_outcome(config_.job_timeout_ms));
  }

  // Closing the mailbox while a task may still post is safe (post checks under the lock),
  // but waiting for every task keeps the rule simple: nothing of ours runs after stopped().
  void maybe_stopped() {
    if (!stopping_ || !waiting_.empty() || abandoned_ != 0 || !stopped_) return;
    shared_->mailbox.close();
    deadline_ticker_.stop();
    auto stopped = std::move(stopped_);
    stopped_ = nullptr;
    stopped();
  }

  tbb::global_control parallelism_;
  tbb::task_arena arena_;
  std::optional<KnobObserver> observer_;  // after the arena: observes it, goes before it
  uv_loop_t* loop_;
  PoolConfig config_;
  std::shared_ptr<Shared> shared_;
  std::unordered_map<std::uint64_t, Waiting> waiting_;  // loop thread only
  std::size_t abandoned_ = 0;                           // timed out, task not yet ended
  std::size_t submitted_ = 0;                           // jobs accepted since start
  std::uint64_t next_id_ = 0;
  std::uint64_t timed_out_ = 0;
  Ticker deadline_ticker_;  // answers jobs past their deadline
  bool stopping_ = false;
  std::function<void()> stopped_;
};

}  // namespace

std::unique_ptr<Offloader> make_thread_offloader(uv_loop_t* loop, const PoolConfig& config) {
  return std::make_unique<ThreadOffloader>(loop, config);
}

}  // namespace offload
