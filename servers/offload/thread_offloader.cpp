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
#include <vector>

#include "mailbox.hpp"
#include "pool_lifecycle.hpp"
#include "strategy_registry.hpp"

namespace offload {

namespace {

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
  Shared(uv_loop_t* loop, Mailbox<Finished>::Deliver deliver, workloads::Workload& workload,
         unsigned slots)
      : mailbox(loop, std::move(deliver)), workload(workload), workers(slots) {}
  std::atomic<bool> stopping{false};
  // Tasks that have begun (run or skipped) and ended. With the loop's own count of submitted
  // jobs they give the queue (submitted - started) and the threads taken (started - ended)
  // without counting a finished job whose result still waits in the mailbox.
  std::atomic<std::size_t> started{0};
  std::atomic<std::size_t> ended{0};
  Mailbox<Finished> mailbox;
  workloads::Workload& workload;
  // Worker i of the arena (tbb::this_task_arena::current_thread_index) is slot i: its GnuPG
  // home when there is one per worker. An arena slot holds one thread at a time, so each
  // element is only touched by the thread in that slot; it is made there on first use.
  std::vector<std::unique_ptr<workloads::Worker>> workers;
};

class ThreadOffloader final : public Offloader {
 public:
  explicit ThreadOffloader(const OffloadSetup& setup)
      // TBB caps its worker threads at the core count minus one unless told otherwise: on 2
      // cores that would be a single worker whatever the arena asks for.
      : parallelism_(tbb::global_control::max_allowed_parallelism, setup.pool.workers + 1),
        // No slot reserved for an external thread: the loop thread never joins the arena.
        arena_(static_cast<int>(setup.pool.workers), 0),
        config_(setup.pool),
        shared_(std::make_shared<Shared>(
            setup.loop, [this](std::vector<Finished>& batch) { deliver(batch); }, *setup.workload,
            setup.pool.workers)),
        life_(setup.loop, setup.pool.job_timeout_ms, [this](std::uint64_t now) { expire(now); }) {
    arena_.initialize();
    observer_.emplace(arena_, config_.worker_knobs);
  }

  ~ThreadOffloader() override {
    shared_->mailbox.close();  // no delivery into a dead pool
  }

  Admission submit(workloads::Job job, Done done) override {
    // A place is taken from acceptance until the task ends: timed-out jobs still hold a
    // thread or a queue place while their task runs or waits to be skipped.
    if (life_.stopping() ||
        submitted_ - shared_->ended.load() >= config_.workers + config_.max_queue)
      return Admission::full;
    const std::uint64_t id = ++next_id_;
    ++submitted_;
    auto abandoned = std::make_shared<std::atomic<bool>>(false);
    const std::uint64_t accepted_ns = uv_hrtime();
    waiting_.emplace(id, Waiting{std::move(done), life_.deadline(), abandoned, job});
    // enqueue, not task_group::run: the work must start without anyone calling wait().
    arena_.enqueue([shared = shared_, id, job = std::move(job), abandoned, accepted_ns] {
      shared->started.fetch_add(1);
      JobOutcome outcome;
      if (shared->stopping.load() || abandoned->load()) {
        outcome.status = JobStatus::cancelled;
        outcome.result.text = "not started: server stopping or job timed out";
      } else {
        const auto slot = static_cast<std::size_t>(tbb::this_task_arena::current_thread_index());
        // An arena of N worker slots numbers its threads 0..N-1; anything else would be a
        // thread of no slot, which gets a worker of its own for this job rather than share one.
        std::unique_ptr<workloads::Worker> stray;
        auto& worker = slot < shared->workers.size() ? shared->workers[slot] : stray;
        if (!worker) worker = shared->workload.make_worker(slot);
        outcome.timing.accepted_ns = accepted_ns;
        outcome.timing.started_ns = uv_hrtime();
        outcome.result = workloads::run(*worker, *job);
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
    s.timed_out = life_.timed_out();
    s.knobs_refused = observer_->refused();
    return s;
  }

  void stop(std::function<void()> stopped) override {
    life_.stop(std::move(stopped));
    shared_->stopping.store(true);
    maybe_stopped();
  }

  std::vector<std::string> abandon() override {
    life_.abandon();
    shared_->stopping.store(true);
    std::vector<std::string> left;
    for (const auto& [id, w] : waiting_)
      left.push_back(w.job->describe() + " on a worker thread (job " + std::to_string(id) + ")");
    if (abandoned_ > 0)
      left.push_back(std::to_string(abandoned_) +
                     " job(s) past the job timeout, still running on worker threads");
    waiting_.clear();
    // Tasks still running find the mailbox closed and drop their result.
    shared_->mailbox.close();
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
  void expire(std::uint64_t now) {
    std::vector<Done> late;
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      if (PoolLifecycle::past(it->second.deadline_ms, now)) {
        it->second.abandoned->store(true);
        late.push_back(std::move(it->second.done));
        it = waiting_.erase(it);
        ++abandoned_;
      } else {
        ++it;
      }
    }
    for (auto& done : late) life_.time_out(done);
  }

  // Closing the mailbox while a task may still post is safe (post checks under the lock),
  // but waiting for every task keeps the rule simple: nothing of ours runs after stopped().
  void maybe_stopped() {
    if (!life_.ready_to_finish(waiting_.empty() && abandoned_ == 0)) return;
    shared_->mailbox.close();
    life_.finish();
  }

  tbb::global_control parallelism_;
  tbb::task_arena arena_;
  std::optional<KnobObserver> observer_;  // after the arena: observes it, goes before it
  PoolConfig config_;
  std::shared_ptr<Shared> shared_;
  std::unordered_map<std::uint64_t, Waiting> waiting_;  // loop thread only
  std::size_t abandoned_ = 0;                           // timed out, task not yet ended
  std::size_t submitted_ = 0;                           // jobs accepted since start
  std::uint64_t next_id_ = 0;
  PoolLifecycle life_;  // deadlines and the end of the pool
};

}  // namespace

// Its entry in the registry (strategy_registry.cpp): name, description, knobs, whether the
// workload runs in this process, factory.
Strategy thread_strategy() {
  return {"thread", "on a oneTBB thread pool; results come back to the loop through a mailbox",
          pool_knobs(), true, make_from_setup<ThreadOffloader>};
}

}  // namespace offload
