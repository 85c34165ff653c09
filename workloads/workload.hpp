// The one interface every workload implements (fib/, gpg/, ...): what the server, the pools and
// the worker process know of a workload. Free of HTTP, libuv and pools, so the same workload runs
// on the event loop, on a pool thread or in a worker process.
//
// Life of a workload in the server:
//   make_workload(name) -> configure(settings) -> start(side)      (homes, keys, payloads)
//   parse(query) per request -> a Job, run by a Worker the pool made with make_worker(slot)
//   stop() once no worker runs any more                             (homes and agents removed)
// In a worker process: make_workload(name) -> start_worker(worker_args()) -> make_worker(slot),
// then decode(bytes) for every job frame.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loop_io.hpp"

namespace workloads {

struct Result {
  bool ok = false;
  std::string text;             // the answer line when ok, else a one-line reason
  std::uint64_t run_us = 0;     // time spent running the job itself (set by run())
  std::uint64_t engine_us = 0;  // time inside the workload's engine (gpg: GPGME), 0 if none
  // A job run on the event loop asynchronously (AsyncJob): the time the loop itself spent
  // inside the workload for it; 0 elsewhere.
  std::uint64_t loop_us = 0;
};

// One job's parameters: made by its workload from a request (or decoded from a job frame), named
// in log lines, and carried to a worker process as bytes only the same workload reads.
class Params {
 public:
  virtual ~Params() = default;
  virtual std::string describe() const = 0;  // "fib(60)", "gpg decrypt of 4096 bytes"
  virtual std::string encode() const = 0;    // opaque; Workload::decode reads it back
};

// A job as the pools carry it: immutable, shared between the loop and the thread running it.
using Job = std::shared_ptr<const Params>;

// What one worker keeps between jobs (a GPGME context, say). A pool makes one per worker thread,
// per libuv pool thread or per worker process, and uses it from one thread at a time.
class Worker {
 public:
  virtual ~Worker() = default;
  // The job's work on the calling thread; run() wraps it.
  virtual Result run(const Params& params) = 0;
};

// Runs `job` on `worker`, timing it (Result::run_us). Never throws: failures come back as !ok.
Result run(Worker& worker, const Params& job) noexcept;

// A job started on the caller's event loop (the async strategy): it waits on other processes
// (gpg) whose I/O the loop watches, so the loop stays free while it runs.
class AsyncJob {
 public:
  virtual ~AsyncJob() = default;
  // Ends it early; its `done` follows with a failure. Nothing happens once it has finished.
  virtual void cancel() = 0;
  // Time the loop spent inside the workload for this job (set-up, spawning, pipe I/O).
  virtual std::uint64_t loop_us() const = 0;
};

// What one slot keeps between asynchronous jobs; made, like Worker, per slot.
class AsyncWorker {
 public:
  virtual ~AsyncWorker() = default;
  // Starts `params` on `loop`. `done` runs once, on the loop, from a call of its own (never
  // inside start() or cancel()), also when the job could not start. Keep the job until then.
  virtual std::unique_ptr<AsyncJob> start(const Params& params, LoopIo& loop,
                                          std::function<void(Result)> done) = 0;
};

// The server's flags a workload reads, as text by long name without "--" ("fib", "max-n",
// "payload-bytes"): a workload parses what it needs and ignores the rest.
using Settings = std::map<std::string, std::string, std::less<>>;

// Where the server runs its workers, for start(). `log` prints one line on the server's stderr.
struct ServerSide {
  std::size_t workers = 1;  // worker slots (0 .. workers-1); a per-worker resource is per slot
  bool in_server = true;    // the workers are threads of this process, not worker processes
  std::function<void(const std::string&)> log;
};

// A Prometheus gauge a workload adds to /metrics.
struct Gauge {
  std::string name;
  std::string help;
  double value = 0;
};

// What a workload adds to /metrics.
struct WorkloadMetrics {
  std::string engine_histogram;  // name of the histogram of Result::engine_us; "" for none
  std::string engine_help;
  std::vector<Gauge> gauges;
};

// A flag of a workload's own (--payload-bytes). offload-server lists it in --help after the
// workload's name, reads it and its environment variable as it reads its own flags, refuses
// a value `check` refuses (exit 2, whichever workload runs), and hands the text to configure()
// in Settings under the flag's name without its dashes ("payload-bytes").
struct WorkloadFlag {
  const char* flag;        // "--payload-bytes"
  const char* env;         // "PAYLOAD"; nullptr: no environment fallback
  const char* value_name;  // "SIZE"
  std::string help;        // what it sets, with its default
  std::function<std::string(const std::string& text)> check;  // "" or the rule it breaks
};

class Workload {
 public:
  virtual ~Workload() = default;
  virtual std::string name() const = 0;  // as --workload spells it and the job frame carries it

  // The defaults suit a workload that needs no settings and no set-up.
  // Its own flags (see WorkloadFlag), in --help's order.
  virtual std::vector<WorkloadFlag> flags() const { return {}; }
  // Reads the settings this workload uses, and checks them together. "" or the rule a value
  // breaks (offload-server checks the chosen workload's when it reads its flags: exit 2).
  virtual std::string configure(const Settings&) { return {}; }
  // Server start, before any worker exists. "" or a one-line reason (the server exits 1).
  virtual std::string start(const ServerSide&) { return {}; }
  // After the last job has ended (or been abandoned): removes what start() made. Idempotent;
  // logs its problems through the `log` given to start(). Also called from the shutdown
  // watchdog's thread while a job holds the event loop: it touches nothing a running job uses.
  virtual void stop() {}

  // The arguments that rebuild this started workload in a worker process (start_worker).
  virtual std::vector<std::string> worker_args() const { return {}; }
  // In a worker process: the workload from worker_args(). "" or a reason (the worker exits).
  virtual std::string start_worker(const std::vector<std::string>&,
                                   const std::function<void(const std::string&)>&) {
    return {};
  }

  // The job GET /?<query> asks for: "" and *job set, or a one-line reason for a 400.
  virtual std::string parse(std::string_view query, Job* job) const = 0;
  // Params::encode's bytes back; null when they are not this workload's (a protocol error).
  virtual Job decode(std::string_view bytes) const = 0;
  // The worker of slot `slot` (thread or process), made on the thread that will use it.
  virtual std::unique_ptr<Worker> make_worker(std::size_t slot) = 0;
  // The slot's worker for jobs run on the event loop itself (async strategy), for a workload
  // whose jobs wait on other processes; null when its jobs would hold the loop (fib).
  virtual std::unique_ptr<AsyncWorker> make_async_worker(std::size_t /*slot*/) { return nullptr; }
  virtual bool runs_async() const { return false; }

  // " fib=20": the ready line's fields after the strategy and the workers.
  virtual std::string ready_fields() const = 0;
  // Labels appended to offload_info, as (name, raw value): {"payload_bytes", "4096"}. The
  // server escapes the values.
  virtual std::vector<std::pair<std::string, std::string>> info_labels() const { return {}; }
  virtual WorkloadMetrics metrics() const { return {}; }
};

}  // namespace workloads
