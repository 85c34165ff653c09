// async: no pool at all. A job that waits on other processes (a gpg decryption: gpg does the
// work in its own process) runs on the event loop itself, its I/O watched by the loop
// (workloads::LoopIo over uv_poll_t), so one thread keeps up to --workers jobs in flight while
// the loop stays free for /hi. What still runs on the loop (set-up, the spawn, the pipe I/O) is
// timed per job and shown in /metrics beside the loop lag.
#include <cstdio>
#include <deque>
#include <list>
#include <string>

#include "pool_lifecycle.hpp"
#include "strategy_registry.hpp"
#include "uv_loop_io.hpp"

namespace offload {

namespace {

class AsyncOffloader final : public Offloader {
 public:
  explicit AsyncOffloader(const OffloadSetup& setup)
      : loop_(setup.loop),
        config_(setup.pool),
        io_(setup.loop),
        life_(setup.loop, setup.pool.job_timeout_ms, [this](std::uint64_t now) { expire(now); }) {
    // One worker per slot: per-worker GnuPG homes are used round-robin, slot by slot.
    for (unsigned slot = 0; slot < config_.workers; ++slot)
      workers_.push_back(setup.workload->make_async_worker(slot));
  }

  Admission submit(workloads::Job job, Done done) override {
    if (life_.stopping() ||
        (running_.size() >= config_.workers && queue_.size() >= config_.max_queue))
      return Admission::full;
    Pending p{std::move(job), std::move(done), life_.deadline(), {}};
    p.timing.accepted_ns = uv_hrtime();
    queue_.push_back(std::move(p));
    dispatch();
    return Admission::accepted;
  }

  PoolStats stats() const override {
    PoolStats s;
    s.queued = queue_.size();
    s.running = running_.size();
    s.workers = config_.workers;
    s.timed_out = life_.timed_out();
    return s;
  }

  void stop(std::function<void()> stopped) override {
    life_.stop(std::move(stopped));
    cancel_queued();
    // Jobs in flight are cancelled: their gpg processes end, their answers come as failures.
    for (auto& r : running_) r.op->cancel();
    maybe_stopped();
  }

  std::vector<std::string> abandon() override {
    life_.abandon();
    std::vector<std::string> left;
    for (auto& r : running_) {
      left.push_back(r.job->describe() + " on the event loop (cancelled)");
      r.done = nullptr;
      r.op->cancel();
    }
    return left;
  }

 private:
  struct Pending {
    workloads::Job job;
    Done done;
    std::uint64_t deadline_ms = 0;
    JobTiming timing;
  };
  struct Running {
    workloads::Job job;
    Done done;  // empty once answered (timed out, abandoned)
    std::uint64_t deadline_ms = 0;
    JobTiming timing;
    std::size_t slot = 0;
    std::unique_ptr<workloads::AsyncJob> op;
  };

  void dispatch() {
    while (!queue_.empty() && running_.size() < config_.workers && !life_.stopping()) {
      Pending p = std::move(queue_.front());
      queue_.pop_front();
      running_.emplace_back();
      auto it = std::prev(running_.end());
      it->job = std::move(p.job);
      it->done = std::move(p.done);
      it->deadline_ms = p.deadline_ms;
      it->timing = p.timing;
      it->slot = next_slot_++ % workers_.size();
      it->timing.started_ns = uv_hrtime();
      it->op = workers_[it->slot]->start(
          *it->job, io_, [this, it](workloads::Result r) { ended(it, std::move(r)); });
    }
  }

  void ended(std::list<Running>::iterator it, workloads::Result result) {
    it->timing.finished_ns = uv_hrtime();
    result.loop_us = it->op->loop_us();
    Done done = std::move(it->done);
    const JobTiming timing = it->timing;
    // The op is done with: it may go now (its own deferred call has returned to us last).
    running_.erase(it);
    if (done) {
      if (life_.stopping() && !result.ok)
        done({JobStatus::cancelled, {false, "server is shutting down", 0, 0}, {}});
      else
        done({JobStatus::done, std::move(result), timing});
    }
    dispatch();
    maybe_stopped();
  }

  void cancel_queued() {
    auto queued = std::move(queue_);
    queue_.clear();
    for (auto& p : queued)
      p.done({JobStatus::cancelled, {false, "server is shutting down", 0, 0}, {}});
  }

  // A late job is answered 504 at once and its operation cancelled: gpg stops, and the answer
  // that follows the cancellation goes nowhere.
  void expire(std::uint64_t now) {
    std::vector<Done> late;
    PoolLifecycle::take_late(queue_, now, late);
    for (auto& r : running_) {
      if (!r.done || !PoolLifecycle::past(r.deadline_ms, now)) continue;
      late.push_back(std::move(r.done));
      r.done = nullptr;
      r.op->cancel();
    }
    for (auto& done : late) life_.time_out(done);
  }

  void maybe_stopped() {
    if (!life_.ready_to_finish(running_.empty() && queue_.empty())) return;
    io_.close([this] { life_.finish(); });
  }

  uv_loop_t* loop_;
  PoolConfig config_;
  UvLoopIo io_;
  std::vector<std::unique_ptr<workloads::AsyncWorker>> workers_;
  std::deque<Pending> queue_;
  std::list<Running> running_;  // stable addresses: each op's callback holds its iterator
  std::size_t next_slot_ = 0;
  PoolLifecycle life_;
};

}  // namespace

Strategy async_strategy() {
  Strategy s{"async",
             "no pool: the event loop itself drives jobs that wait on other processes (GPGME "
             "with gpg's pipes watched by the loop), up to --workers in flight; gpg workload only",
             {"workers", "max-queue", "job-timeout"},
             true,
             make_from_setup<AsyncOffloader>};
  s.needs_async_workload = true;
  return s;
}

}  // namespace offload
