// process: long-lived worker processes (this program in worker mode, process_worker.cpp), one
// job at a time each, framed over the worker's stdin/stdout (wire.hpp); each worker rebuilds
// the workload from the arguments the workload gives it. A worker that dies is noticed by EOF
// on its pipe (worker_process.hpp), its job is answered as lost, its pid reaped and a
// replacement started, with a back-off if workers keep dying young. Optionally elastic (like
// ampoule: grow while jobs queue, shrink when idle) and recycling (a worker replaced after N
// jobs).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <list>
#include <optional>

#include "pool_lifecycle.hpp"
#include "process_worker.hpp"
#include "strategy_registry.hpp"
#include "worker_process.hpp"

namespace offload {

namespace {

constexpr std::uint64_t kYoungDeathMs = 1000;  // dying sooner than this counts as a crash loop
constexpr std::uint64_t kMaxBackoffMs = 10'000;

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended (status " + std::to_string(status) + ")";
}

class ProcessPool final : public Offloader {
 public:
  explicit ProcessPool(const OffloadSetup& setup)
      : loop_(setup.loop),
        config_(setup.pool),
        options_(setup.process),
        workload_(*setup.workload),
        workload_args_(setup.workload->worker_args()),
        reaper_(
            setup.loop, [this](pid_t pid, int status) { exited(pid, status); },
            [this] { maybe_stopped(); }),
        life_(setup.loop, setup.pool.job_timeout_ms, [this](std::uint64_t now) { expire(now); }) {
    if (max_workers() > min_workers()) {
      const std::uint64_t every = std::max<std::uint64_t>(options_.worker_idle_timeout_ms / 4, 10);
      idle_ticker_.start(loop_, every, [this] { shrink(); });
    }
    fill();
  }

  ~ProcessPool() override {
    // Normally stop() has run. If not, leave no child behind: kill and reap synchronously
    // (the Reaper does the same with the pids it holds).
    for (auto& w : workers_) {
      if (w.retired) continue;
      kill(w.process.pid(), SIGKILL);
      waitpid(w.process.pid(), nullptr, 0);
    }
  }

  Admission submit(workloads::Job job, Done done) override {
    if (life_.stopping()) return Admission::full;
    // A full queue still admits a job that a new worker of an elastic pool can take at once:
    // with --max-queue 0 the pool would otherwise never grow.
    if (queue_.size() >= config_.max_queue && idle_worker() == nullptr && !grow())
      return Admission::full;
    queue_.push_back(
        {++next_id_, std::move(job), std::move(done), life_.deadline(), uv_hrtime(), 0});
    dispatch();
    return Admission::accepted;
  }

  PoolStats stats() const override {
    PoolStats s;
    s.queued = queue_.size();
    for (const auto& w : workers_) {
      if (w.retired || w.leaving) continue;
      ++s.workers;
      if (w.job) ++s.running;
      s.per_worker.push_back({w.process.pid(), w.slot, slot_restarts(w.slot), w.job.has_value(),
                              w.jobs_done, slot_count(slot_jobs_, w.slot)});
    }
    s.restarts = restarts_;
    s.timed_out = life_.timed_out();
    s.young_deaths = young_deaths_;
    s.recycled = recycled_;
    s.backoff_ms = backoff_ms_;
    return s;
  }

  void stop(std::function<void()> stopped) override {
    life_.stop(std::move(stopped));
    respawn_ticker_.stop();
    while (!queue_.empty()) {
      Pending p = std::move(queue_.front());
      queue_.pop_front();
      p.done({JobStatus::cancelled, {false, "server is shutting down", 0, 0}, {}});
    }
    for (auto& w : workers_) {
      // An idle worker exits when its stdin ends; a busy one's answer is no longer wanted.
      if (w.job) kill(w.process.pid(), SIGKILL);
      w.process.close_stdin();
    }
    maybe_stopped();
  }

  // Shutdown is out of time: every worker is killed and reaped here and now, synchronously
  // (a killed process is gone within milliseconds), so none outlives the server.
  std::vector<std::string> abandon() override {
    life_.abandon();
    std::vector<std::string> left;
    for (auto& w : workers_) {
      if (w.job)
        left.push_back(w.job->job->describe() + " in worker process " +
                       std::to_string(w.process.pid()) + " (killed)");
      if (w.retired) continue;  // its pid is the reaper's
      kill(w.process.pid(), SIGKILL);
      waitpid(w.process.pid(), nullptr, 0);
      w.retired = true;
    }
    reaper_.kill_all_now();
    queue_.clear();
    return left;
  }

 private:
  struct Pending {
    std::uint64_t id;
    workloads::Job job;
    Done done;
    std::uint64_t deadline_ms;  // 0: none
    std::uint64_t accepted_ns;
    std::uint64_t sent_ns;  // its frame went to the worker's pipe
  };

  struct Worker {
    WorkerProcess process;
    bool retired = false;  // takes no more jobs; its pipes are closing, its pid is reaped
    bool leaving = false;  // recycled or idle too long: takes no job, its replacement may
                           // already run, and its stdin is closing
    bool killed_for_timeout = false;  // its death is our doing, not a crash
    std::uint64_t started_ms = 0;
    std::uint64_t jobs_done = 0;
    std::uint64_t idle_since_ms = 0;
    std::size_t slot = 0;  // which worker it is: 0..workers-1, inherited by its replacement
    std::optional<Pending> job;
    std::list<Worker>::iterator self;
  };

  std::size_t alive() const {
    std::size_t n = 0;
    for (const auto& w : workers_) n += (w.retired || w.leaving) ? 0 : 1;
    return n;
  }

  Worker* idle_worker() {
    for (auto& w : workers_)
      if (!w.retired && !w.leaving && !w.job && !w.killed_for_timeout) return &w;
    return nullptr;
  }

  // Starts workers until the pool is full again, or schedules a retry after a failure.
  void fill() {
    while (!life_.stopping() && alive() < min_workers()) {
      if (!spawn()) {
        schedule_respawn();
        return;
      }
    }
    dispatch();
  }

  // The lowest worker number no live worker has.
  std::size_t free_slot() const {
    for (std::size_t slot = 0;; ++slot) {
      bool taken = false;
      for (const auto& w : workers_) taken = taken || (!w.retired && !w.leaving && w.slot == slot);
      if (!taken) return slot;
    }
  }

  bool spawn() {
    const std::size_t slot = free_slot();
    std::vector<std::string> args = options_.args;
    const std::vector<std::string> own =
        worker_arguments({getpid(), slot, config_.worker_knobs, workload_.name(), workload_args_});
    args.insert(args.end(), own.begin(), own.end());

    workers_.emplace_back();
    Worker& w = workers_.back();
    w.self = std::prev(workers_.end());
    const std::string err = w.process.start(
        loop_, options_.program, args,
        {[this, &w](wire::ResultMessage& m) { received(w, m); },
         [this, &w](const std::string& why) { worker_failed(w, why); }, [this, &w] { closed(w); }});
    if (!err.empty()) {
      workers_.pop_back();
      std::fprintf(stderr, "offload-server: cannot start a worker: %s\n", err.c_str());
      ++young_deaths_;
      return false;
    }
    w.slot = slot;
    w.idle_since_ms = uv_now(loop_);
    w.started_ms = uv_now(loop_);
    return true;
  }

  void schedule_respawn() {
    if (life_.stopping() || respawn_ticker_.active()) return;
    const unsigned shift = young_deaths_ < 8 ? young_deaths_ : 8;
    const std::uint64_t delay = std::min<std::uint64_t>(50ull << shift, kMaxBackoffMs);
    backoff_ms_ = delay;
    if (young_deaths_ >= 3)
      std::fprintf(
          stderr, "offload-server: workers keep dying young (%u in a row); next start in %llu ms\n",
          young_deaths_, static_cast<unsigned long long>(delay));
    respawn_ticker_.once(loop_, delay, [this] { fill(); });
  }

  // Idle workers take queued jobs; while jobs still wait, an elastic pool grows.
  void dispatch() {
    while (!queue_.empty()) {
      Worker* w = idle_worker();
      if (w == nullptr) {
        if (!grow()) return;
        continue;
      }
      Pending p = std::move(queue_.front());
      queue_.pop_front();
      send(*w, std::move(p));
    }
  }

  // One more worker for an elastic pool below its maximum; not while stopping, nor during a
  // crash loop (then only the back-off starts workers).
  bool grow() {
    return !life_.stopping() && young_deaths_ == 0 && alive() < max_workers() && spawn();
  }

  unsigned min_workers() const {
    return options_.min_workers > 0 ? options_.min_workers : config_.workers;
  }
  unsigned max_workers() const {
    return std::max(min_workers(),
                    options_.max_workers > 0 ? options_.max_workers : config_.workers);
  }

  std::uint64_t slot_restarts(std::size_t slot) const { return slot_count(slot_restarts_, slot); }
  static std::uint64_t slot_count(const std::vector<std::uint64_t>& counts, std::size_t slot) {
    return slot < counts.size() ? counts[slot] : 0;
  }

  // A worker leaves gracefully: no new job, stdin closed, it exits, its EOF retires it.
  void let_go(Worker& w) {
    w.leaving = true;
    w.process.close_stdin();
  }

  // Idle workers beyond the minimum leave after the idle timeout.
  void shrink() {
    const std::uint64_t now = uv_now(loop_);
    for (auto& w : workers_) {
      if (alive() <= min_workers()) return;
      if (!w.retired && !w.leaving && !w.job &&
          now - w.idle_since_ms >= options_.worker_idle_timeout_ms)
        let_go(w);
    }
  }

  void send(Worker& w, Pending p) {
    const std::string frame =
        wire::encode(wire::JobMessage{p.id, workload_.name(), p.job->encode()});
    p.sent_ns = uv_hrtime();
    w.job = std::move(p);
    w.process.send(frame);
  }

  void received(Worker& w, wire::ResultMessage& message) {
    if (!w.job || message.id != w.job->id) {
      worker_failed(w, "protocol error: bad result");
      return;
    }
    const JobTiming timing = timing_of(*w.job, message);
    Done done = std::move(w.job->done);
    w.job.reset();
    ++w.jobs_done;
    if (slot_jobs_.size() <= w.slot) slot_jobs_.resize(w.slot + 1);
    ++slot_jobs_[w.slot];
    w.idle_since_ms = uv_now(loop_);
    young_deaths_ = 0;  // a worker that finished a job is healthy
    backoff_ms_ = 0;
    if (options_.max_jobs_per_worker > 0 && w.jobs_done >= options_.max_jobs_per_worker &&
        !life_.stopping()) {
      // Recycle: the replacement is started first (it takes this worker's slot), then this
      // one leaves; it is idle now, so no request is in its hands.
      w.leaving = true;
      ++recycled_;
      fill();
      w.process.close_stdin();
    }
    done({JobStatus::done, std::move(message.result), timing});
    if (!w.retired) dispatch();
  }

  // The worker reports how long the job waited in its hands (frame read -> start) and ran
  // (start -> end), on its own clock; only durations cross the pipe, so a worker on another
  // clock (another host, one day) would do as well. What the parent sees beyond those, the
  // round trip minus both, is the pipe's transit there and back plus the worker's framing: it
  // cannot be split without a shared clock, so half is charged to the queue wait and half to
  // the hand-back, as NTP splits a round trip. The three parts still add up to the whole.
  static JobTiming timing_of(const Pending& p, const wire::ResultMessage& m) {
    const std::uint64_t received_ns = uv_hrtime();
    const std::uint64_t round_trip = received_ns - p.sent_ns;
    const std::uint64_t inside = m.wait_ns + m.service_ns;
    const std::uint64_t transit = round_trip > inside ? round_trip - inside : 0;
    JobTiming t;
    t.accepted_ns = p.accepted_ns;
    t.started_ns = p.sent_ns + transit / 2 + (inside <= round_trip ? m.wait_ns : 0);
    t.finished_ns = inside <= round_trip ? t.started_ns + m.service_ns : received_ns;
    return t;
  }

  void worker_failed(Worker& w, const std::string& why) {
    if (w.retired) return;
    const bool expected = life_.stopping() || w.process.stdin_closed();
    if (!expected) {
      kill(w.process.pid(), SIGKILL);  // whatever state it is in, it is replaced
      ++restarts_;
      if (slot_restarts_.size() <= w.slot) slot_restarts_.resize(w.slot + 1);
      ++slot_restarts_[w.slot];
      if (!w.killed_for_timeout && uv_now(loop_) - w.started_ms < kYoungDeathMs) ++young_deaths_;
    }
    retire(w);
    if (w.job) {
      Done done = std::move(w.job->done);
      w.job.reset();
      done({JobStatus::lost,
            {false,
             "worker process " + std::to_string(w.process.pid()) + " died while running the job (" +
                 why + ")",
             0, 0},
            {}});
    }
    if (life_.stopping()) {
      maybe_stopped();
    } else if (young_deaths_ > 0) {
      schedule_respawn();
    } else {
      fill();
    }
  }

  // Jobs past their deadline are answered now: a queued one leaves the queue, a running
  // one's worker is killed (the only way to stop a computation) and replaced.
  void expire(std::uint64_t now) {
    std::vector<Done> late;
    PoolLifecycle::take_late(queue_, now, late);
    for (auto& w : workers_) {
      if (w.retired || !w.job || !PoolLifecycle::past(w.job->deadline_ms, now)) continue;
      late.push_back(std::move(w.job->done));
      w.job.reset();
      w.killed_for_timeout = true;
      std::fprintf(stderr, "offload-server: job past the job timeout; killing worker %d\n",
                   w.process.pid());
      kill(w.process.pid(), SIGKILL);  // its EOF retires it and starts a replacement
    }
    for (auto& done : late) life_.time_out(done);
  }

  // The worker takes no more jobs: close its pipes and reap its pid.
  void retire(Worker& w) {
    w.retired = true;
    w.process.close();
    reaper_.reap(w.process.pid());
  }

  // Both pipes closed: the worker's entry goes.
  void closed(Worker& w) {
    workers_.erase(w.self);
    maybe_stopped();
  }

  void exited(pid_t pid, int status) {
    if (!(life_.stopping() && WIFEXITED(status) && WEXITSTATUS(status) == 0))
      std::fprintf(stderr, "offload-server: worker %d %s\n", pid, describe_exit(status).c_str());
  }

  void maybe_stopped() {
    if (!life_.ready_to_finish(workers_.empty() && reaper_.empty())) return;
    respawn_ticker_.stop();
    idle_ticker_.stop();
    reaper_.stop();
    life_.finish();
  }

  uv_loop_t* loop_;
  PoolConfig config_;
  ProcessOptions options_;
  workloads::Workload& workload_;
  const std::vector<std::string> workload_args_;  // how a worker rebuilds the workload
  std::list<Worker> workers_;
  std::deque<Pending> queue_;
  Reaper reaper_;
  Ticker respawn_ticker_{true};  // the next start after a failure (a back-off)
  Ticker idle_ticker_;           // retires workers idle past the idle timeout (elastic pool)
  std::uint64_t next_id_ = 0;
  std::uint64_t recycled_ = 0;
  std::vector<std::uint64_t> slot_restarts_;
  std::vector<std::uint64_t> slot_jobs_;  // jobs finished, by slot, across replacements
  std::uint64_t restarts_ = 0;
  unsigned young_deaths_ = 0;
  std::uint64_t backoff_ms_ = 0;
  PoolLifecycle life_;  // deadlines and the end of the pool
};

}  // namespace

// Its entry in the registry (strategy_registry.cpp): name, description, knobs, whether the
// workload runs in this process, factory.
Strategy process_strategy() {
  return {"process", "in a pool of worker processes (Boost.Process), jobs framed over their pipes",
          pool_knobs({"min-workers", "max-workers", "worker-idle-timeout", "max-jobs-per-worker"}),
          false, make_from_setup<ProcessPool>};
}

}  // namespace offload
