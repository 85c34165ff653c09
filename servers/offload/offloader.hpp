// Where a job runs: the one small interface every strategy implements. The HTTP front end and
// the router never ask which strategy is behind it.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sched_knobs.hpp"
#include "workload.hpp"

namespace offload {

enum class JobStatus {
  done,       // the workload ran; result.ok says whether it succeeded
  lost,       // the worker running it died (process strategy)
  cancelled,  // never started: the server is stopping
  timed_out,  // not finished within the job timeout; its result, if any, is discarded
};

// Where a job's time went, on this process's uv_hrtime() clock (CLOCK_MONOTONIC, ns): queue
// wait = started - accepted, service = finished - started. Each strategy fills it where the
// job runs (see its file for what "started" means there); the router adds the hand-back
// (finished -> answer handed to the connection). started_ns is 0 for a job that never ran.
struct JobTiming {
  std::uint64_t accepted_ns = 0;  // submit() took it (inline: the loop woke for its request)
  std::uint64_t started_ns = 0;
  std::uint64_t finished_ns = 0;
};

struct JobOutcome {
  JobStatus status = JobStatus::done;
  workloads::Result result;  // for lost / cancelled: !ok and a one-line reason in text
  JobTiming timing;          // filled for `done`
};

// Runs on the loop thread, exactly once per accepted job.
using Done = std::function<void(JobOutcome)>;

enum class Admission { accepted, full };

struct WorkerStats {  // one worker process, and the slot it holds
  int pid = 0;
  std::size_t slot = 0;
  std::uint64_t slot_restarts = 0;  // workers of this slot replaced after dying
  bool busy = false;
  std::uint64_t jobs = 0;       // jobs this process has finished
  std::uint64_t slot_jobs = 0;  // jobs the slot's processes finished, its earlier ones too
};

struct PoolStats {
  std::size_t queued = 0;               // accepted, not yet started on a worker
  std::size_t running = 0;              // started on a worker, not yet finished
  std::size_t workers = 0;              // alive (process) or configured (thread); 1 for inline
  std::uint64_t restarts = 0;           // workers replaced after dying
  std::uint64_t timed_out = 0;          // jobs answered as timed out
  unsigned young_deaths = 0;            // workers in a row that died young (crash loop)
  std::uint64_t backoff_ms = 0;         // delay before the next start, during a crash loop
  std::vector<WorkerStats> per_worker;  // process strategy only
  std::uint64_t recycled = 0;           // workers replaced after --max-jobs-per-worker jobs
  std::string knobs_refused;            // scheduling knobs a worker could not apply, if any
  // The strategy's own /metrics lines (Prometheus text, HELP/TYPE included); "" for none.
  std::string metrics;
};

class Offloader {
 public:
  virtual ~Offloader() = default;
  // `full` when `max_queue` jobs already wait for a worker: the caller answers 503.
  virtual Admission submit(workloads::Job job, Done done) = 0;
  virtual PoolStats stats() const = 0;
  // Jobs still queued complete as `cancelled`; running ones finish (threads) or their worker
  // is stopped (processes). `stopped` runs on the loop once nothing of the pool is left.
  virtual void stop(std::function<void()> stopped) = 0;
  // Shutdown ran out of time: stop waiting for jobs that cannot be stopped (a thread in the
  // middle of a computation), kill and reap worker processes, and from then on touch nothing
  // on the loop (no callback, `stopped` included, ever runs). Returns one line per job left
  // running, for the log. The process must then exit without joining the pool's threads.
  virtual std::vector<std::string> abandon() = 0;
};

// What every strategy with workers shares (the knobs a strategy does not take are ignored:
// see its registry entry).
struct PoolConfig {
  unsigned workers = 1;
  std::size_t max_queue = 128;
  // From acceptance to result (waiting + running); 0: no limit. A timed-out job is answered
  // at once; a worker process running it is killed and replaced, a thread cannot be stopped
  // and finishes the job for nothing; a job on the loop cannot time out at all.
  std::uint64_t job_timeout_ms = 0;
  // Scheduling of the workers (threads or processes): nice, policy, CPUs.
  SchedKnobs worker_knobs;
};

// The process strategy's own options.
struct ProcessOptions {
  // An elastic pool (like ampoule or Piscina): starts min_workers, grows to max_workers while
  // jobs queue, retires workers idle for idle_timeout_ms. Both 0: PoolConfig::workers.
  unsigned min_workers = 0;
  unsigned max_workers = 0;
  std::uint64_t worker_idle_timeout_ms = 10'000;
  // Replace a worker after this many jobs (0: never); the replacement starts before the old
  // worker leaves.
  std::uint64_t max_jobs_per_worker = 0;
  // How to start one worker: `program args...` runs process_worker.hpp's run_worker with the
  // arguments the pool adds (its slot, the knobs, the workload's own).
  std::string program;
  std::vector<std::string> args;
};

// Everything a strategy is made from (its factory in the registry takes this).
struct OffloadSetup {
  uv_loop_t* loop = nullptr;
  // Runs the jobs: here (its make_worker), or rebuilt from its worker_args() in each worker
  // process. Outlives the offloader.
  workloads::Workload* workload = nullptr;
  PoolConfig pool;
  ProcessOptions process;
  // A strategy's own flags, by long name without "--" ("nats", "remote-retries"), as text: a
  // strategy reads what it knows, as a workload reads its Settings.
  workloads::Settings settings = {};
};

}  // namespace offload
