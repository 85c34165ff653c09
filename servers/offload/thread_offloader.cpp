// thread: jobs run on a oneTBB task_arena of `workers` threads; results come home through a
// Mailbox, so completions always run on the loop thread.
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include <atomic>
#include <unordered_map>

#include "mailbox.hpp"
#include "offloader.hpp"

namespace offload {

namespace {

struct Finished {
  std::uint64_t id;
  JobOutcome outcome;
};

// What the tasks share with the loop; tasks hold it by shared_ptr so it outlives the pool.
struct Shared {
  Shared(uv_loop_t* loop, Mailbox<Finished>::Deliver deliver) : mailbox(loop, std::move(deliver)) {}
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> running{0};
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
        workers_(config.workers),
        max_queue_(config.max_queue),
        shared_(std::make_shared<Shared>(
            loop, [this](std::vector<Finished>& batch) { deliver(batch); })) {
    arena_.initialize();
  }

  ~ThreadOffloader() override { shared_->mailbox.close(); }  // no delivery into a dead pool

  Admission submit(workloads::Job job, Done done) override {
    if (stopping_ || waiting_.size() >= workers_ + max_queue_) return Admission::full;
    const std::uint64_t id = ++next_id_;
    waiting_.emplace(id, std::move(done));
    // enqueue, not task_group::run: the work must start without anyone calling wait().
    arena_.enqueue([shared = shared_, id, job] {
      JobOutcome outcome;
      if (shared->stopping.load()) {
        outcome.status = JobStatus::cancelled;
        outcome.result.text = "server is shutting down";
      } else {
        shared->running.fetch_add(1);
        outcome.result = workloads::run(job);
        shared->running.fetch_sub(1);
      }
      shared->mailbox.post({id, std::move(outcome)});
    });
    return Admission::accepted;
  }

  PoolStats stats() const override {
    const std::size_t running = shared_->running.load();
    const std::size_t in_flight = waiting_.size();
    PoolStats s;
    s.queued = in_flight > running ? in_flight - running : 0;
    s.running = running;
    s.workers = workers_;
    return s;
  }

  void stop(std::function<void()> stopped) override {
    stopping_ = true;
    shared_->stopping.store(true);
    stopped_ = std::move(stopped);
    maybe_stopped();
  }

 private:
  void deliver(std::vector<Finished>& batch) {
    for (auto& finished : batch) {
      auto it = waiting_.find(finished.id);
      if (it == waiting_.end()) continue;
      Done done = std::move(it->second);
      waiting_.erase(it);
      done(std::move(finished.outcome));
    }
    maybe_stopped();
  }

  // Closing the mailbox while a task may still post is safe (post checks under the lock),
  // but waiting for every task keeps the rule simple: nothing of ours runs after stopped().
  void maybe_stopped() {
    if (!stopping_ || !waiting_.empty() || !stopped_) return;
    shared_->mailbox.close();
    auto stopped = std::move(stopped_);
    stopped_ = nullptr;
    stopped();
  }

  tbb::global_control parallelism_;
  tbb::task_arena arena_;
  std::size_t workers_;
  std::size_t max_queue_;
  std::shared_ptr<Shared> shared_;
  std::unordered_map<std::uint64_t, Done> waiting_;  // loop thread only
  std::uint64_t next_id_ = 0;
  bool stopping_ = false;
  std::function<void()> stopped_;
};

}  // namespace

std::unique_ptr<Offloader> make_thread_offloader(uv_loop_t* loop, const PoolConfig& config) {
  return std::make_unique<ThreadOffloader>(loop, config);
}

}  // namespace offload
