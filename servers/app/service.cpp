// Service lifecycle. Shutdown order matters: the listener closes first (no new clients),
// connections finish the request in hand (bounded by --drain-timeout, then 503), then the
// pool stops (queued jobs cancelled, workers retired and reaped), then the last handles close
// and uv_run returns. A second signal skips the rest of the drain.
//
// Shutdown is bounded: a job running on a thread cannot be stopped, so if the pool has not
// stopped shortly after the drain timeout (or at once, on a second signal) the jobs still
// running are abandoned and named on stderr, worker processes are killed and reaped, the
// workload stopped (its GnuPG homes removed), and the process exits without joining its pool
// threads. A job running on the loop itself (inline) keeps the loop from hearing the signal at
// all: the watchdog, on a thread of its own, ends the process a second after the drain timeout
// (or half a second after a second signal), stopping the workload first.
//
// The strategy and the workload are named once, in their registries: the service asks the
// strategy's entry what applies to it and hands the workload its settings, never a name.
#include "service.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <thread>

#include "loop_lag.hpp"
#include "metrics.hpp"
#include "router.hpp"
#include "sched_knobs.hpp"
#include "server.hpp"
#include "shutdown_watchdog.hpp"
#include "strategy_registry.hpp"
#include "workload_registry.hpp"

namespace app {

namespace {

constexpr std::uint64_t kLagProbeMs = 10;
// After the drain timeout, how long the pool may take to stop before its jobs are abandoned:
// enough for worker processes to be killed and reaped, short of "about a second".
constexpr std::uint64_t kStopGraceMs = 500;
// After the drain timeout, how long the watchdog waits for the loop to come back from a job
// before it ends the process itself; after a second signal it waits kStopGraceMs.
constexpr std::uint64_t kWatchdogMs = 1000;

// Watchers of SIGINT and SIGTERM on a loop of their own that is never run nor closed (see
// Service::stop_watchdog). libuv's signal handler writes each signal to that loop's pipe,
// which nobody reads; past its capacity further ones are dropped.
struct LateSignalSink {
  LateSignalSink() {
    uv_loop_init(&loop);
    for (auto [watcher, signum] : {std::pair{&sigint, SIGINT}, {&sigterm, SIGTERM}}) {
      uv_signal_init(&loop, watcher);
      uv_signal_start(
          watcher, [](uv_signal_t*, int) {}, signum);
    }
  }
  uv_loop_t loop;
  uv_signal_t sigint;
  uv_signal_t sigterm;
};

std::string format_seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", seconds);
  return text;
}

std::uint64_t to_ms(double seconds) {
  return static_cast<std::uint64_t>(seconds * 1000.0 + 0.5);
}

// Many idle keep-alive clients each hold a descriptor: take what the hard limit allows.
void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
  }
  if (lim.rlim_cur < 16384)
    std::fprintf(stderr,
                 "offload-server: note: open-file limit is %llu; at most about that many clients\n",
                 static_cast<unsigned long long>(lim.rlim_cur));
}

class Service {
 public:
  // The config is validated: its strategy and workload are in their registries.
  Service(const Config& config, std::string program_path)
      : config_(config),
        program_path_(std::move(program_path)),
        started_ns_(uv_hrtime()),
        strategy_(*offload::find_strategy(config.strategy)),
        workload_(workloads::make_workload(config.workload)) {
    uv_loop_init(&loop_);
    uv_loop_configure(&loop_, UV_METRICS_IDLE_TIME);
  }

  int run() {
    if (strategy_.needs_async_workload && !workload_->runs_async()) {
      std::fprintf(stderr,
                   "offload-server: %s runs only workloads that wait on other processes, not %s\n",
                   strategy_.name.c_str(), workload_->name().c_str());
      close_loop();
      return 2;  // a usage error, like a bad flag
    }
    if (!start_workload()) {
      close_loop();
      return 1;
    }
    const offload::PoolConfig pool = pool_config();  // before the loop is pinned: see cpus_except
    effective_worker_cpus_ = offload::format_cpu_list(pool.worker_knobs.cpus);
    if (pool.worker_knobs.any() && strategy_.has_knob("worker-nice")) {
      // Workers apply their knobs as they start; try them now on a throwaway thread (same
      // privileges) so a refusal is reported at start rather than after the first job.
      std::string refused;
      std::thread([&] { refused = offload::apply_to_this_thread(pool.worker_knobs); }).join();
      if (!refused.empty()) {
        std::fprintf(stderr, "offload-server: workers: %s\n", refused.c_str());
        workers_refused_ = refused;
      }
    }
    if (config_.loop_cpu >= 0) {
      if (std::string err = offload::pin_this_thread(config_.loop_cpu); err.empty()) {
        std::fprintf(stderr, "offload-server: event loop pinned to CPU %d\n", config_.loop_cpu);
      } else {
        std::fprintf(stderr, "offload-server: cannot pin the event loop: %s\n", err.c_str());
        loop_cpu_refused_ = err;
      }
    }
    offloader_ =
        strategy_.make({&loop_, workload_.get(), pool, process_options(), strategy_settings()});
    if (!offloader_) {  // it said why on stderr
      // Lets what it opened finish closing.
      uv_run(&loop_, UV_RUN_DEFAULT);
      teardown();
      return 1;
    }
    router_.emplace(
        *workload_, *offloader_, metrics_, [this] { return facts(); },
        strategy_.runs_on_loop() ? &loop_job_ : nullptr);
    http::ServerOptions options;
    options.idle_timeout_ms = to_ms(config_.idle_timeout_s);
    options.header_timeout_ms = to_ms(config_.header_timeout_s);
    options.max_connections = config_.max_conns;
    server_.emplace(&loop_, *router_, options);

    if (std::string err = server_->listen(config_.host, config_.port); !err.empty()) {
      std::fprintf(stderr, "offload-server: %s\n", err.c_str());
      offloader_->stop([] {});
      uv_run(&loop_, UV_RUN_DEFAULT);
      teardown();
      return 1;
    }
    // Hears the signals too, on a thread of its own: the one bound when a job holds the loop.
    watchdog_.emplace(
        ShutdownWatchdog::Deadlines{to_ms(config_.drain_timeout_s) + kWatchdogMs, kStopGraceMs},
        [this] { abandon_from_watchdog(); });
    watch_signal(sigint_, SIGINT);
    watch_signal(sigterm_, SIGTERM);
    lag_probe_.emplace(&loop_, kLagProbeMs,
                       [this](double lag) { metrics_.observe_loop_lag(lag, uv_hrtime()); });
    if (strategy_.runs_on_loop() && config_.job_timeout_s > 0)
      std::fprintf(stderr, "offload-server: note: %s jobs run on the loop and cannot time out\n",
                   strategy_.name.c_str());
    print_ready_line();

    uv_run(&loop_, UV_RUN_DEFAULT);
    watchdog_->leave();
    stop_watchdog();
    if (abandoned_) {
      // Threads still run jobs: the loop cannot be closed, and the exit-time clean-up of
      // libuv's pool and oneTBB would wait for them. Clean what is ours, then leave at once.
      workload_->stop();
      std::fflush(nullptr);
      std::_Exit(0);
    }
    teardown();
    return 0;
  }

 private:
  // The workload's settings and set-up (GnuPG homes, keys, payloads), before any worker
  // exists: worker threads then make their workers from it, worker processes rebuild it.
  bool start_workload() {
    std::string err = workload_->configure(workload_settings(config_));
    if (err.empty())
      err = workload_->start({strategy_.workers(config_.workers), strategy_.workload_in_server,
                              [](const std::string& line) {
                                std::fprintf(stderr, "offload-server: %s\n", line.c_str());
                              }});
    if (err.empty()) return true;
    std::fprintf(stderr, "offload-server: %s\n", err.c_str());
    return false;
  }

  offload::PoolConfig pool_config() const {
    offload::PoolConfig pool;
    pool.workers = config_.workers;
    pool.max_queue = config_.max_queue;
    pool.job_timeout_ms = to_ms(config_.job_timeout_s);
    pool.worker_knobs.nice = config_.worker_nice;
    pool.worker_knobs.policy = config_.worker_policy;
    if (!config_.worker_cpus.empty()) {
      offload::parse_cpu_list(config_.worker_cpus, pool.worker_knobs.cpus);
    } else if (config_.loop_cpu >= 0) {
      pool.worker_knobs.cpus = offload::cpus_except(config_.loop_cpu);  // a core of its own
    }
    return pool;
  }

  // A strategy's own flags, by name: each strategy takes what it knows.
  workloads::Settings strategy_settings() const {
    return {{"nats", config_.nats_url},
            {"nats-token", config_.nats_token},
            {"remote-retries", std::to_string(config_.remote_retries)}};
  }

  offload::ProcessOptions process_options() const {
    offload::ProcessOptions process;
    process.min_workers = config_.min_workers;
    process.max_workers = config_.max_workers;
    process.worker_idle_timeout_ms = to_ms(config_.worker_idle_timeout_s);
    process.max_jobs_per_worker = config_.max_jobs_per_worker;
    process.program = program_path_;
    process.args = {"worker"};  // main() hands `offload-server worker ...` to run_worker
    return process;
  }

  void print_ready_line() const {
    const std::string host =
        config_.host.find(':') != std::string::npos ? "[" + config_.host + "]" : config_.host;
    std::string line = "listening on " + host + ":" + std::to_string(server_->port()) +
                       " strategy=" + strategy_.name + " workers=" + workers_text() +
                       workload_->ready_fields();
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }

  // "2", or "1-4" for an elastic pool.
  std::string workers_text() const {
    if (strategy_.runs_on_loop()) return "1";
    const unsigned lo = config_.min_workers > 0 ? config_.min_workers : config_.workers;
    const unsigned hi =
        std::max(lo, config_.max_workers > 0 ? config_.max_workers : config_.workers);
    if (!strategy_.has_knob("max-workers") || lo == hi) return std::to_string(lo);
    return std::to_string(lo) + "-" + std::to_string(hi);
  }

  // The knobs in force, as Prometheus labels.
  offload::prom::Labels knob_labels() const {
    return {{"worker_nice", std::to_string(config_.worker_nice)},
            {"worker_policy", config_.worker_policy},
            {"loop_cpu", config_.loop_cpu >= 0 ? std::to_string(config_.loop_cpu) : ""},
            {"worker_cpus", effective_worker_cpus_},
            {"workers", workers_text()},
            {"max_jobs_per_worker", std::to_string(config_.max_jobs_per_worker)},
            {"max_queue", std::to_string(config_.max_queue)},
            {"worker_idle_timeout", format_seconds(config_.worker_idle_timeout_s)}};
  }

  ServerFacts facts() const {
    ServerFacts f;
    f.strategy = strategy_.name;
    f.workers = strategy_.workers(config_.workers);
    f.fib = config_.fib;
    f.max_queue = config_.max_queue;
    f.jobs_on_loop_async = strategy_.needs_async_workload;
    f.workload = workload_->name();
    f.workload_labels = workload_->info_labels();
    f.workload_metrics = workload_->metrics();
    f.pool = offloader_->stats();
    f.knob_labels = knob_labels();
    f.knobs_refused = loop_cpu_refused_;
    if (!workers_refused_.empty() && f.pool.knobs_refused.empty())
      f.knobs_refused += (f.knobs_refused.empty() ? "" : "; ") + workers_refused_;
    if (!f.pool.knobs_refused.empty())
      f.knobs_refused += (f.knobs_refused.empty() ? "" : "; ") + f.pool.knobs_refused;
    f.connections = server_->connection_count();
    f.connections_refused = server_->refused_count();
    f.loop_idle_s = static_cast<double>(uv_metrics_idle_time(const_cast<uv_loop_t*>(&loop_))) / 1e9;
    f.now_ns = uv_hrtime();
    f.uptime_s = static_cast<double>(f.now_ns - started_ns_) / 1e9;
    return f;
  }

  void watch_signal(uv_signal_t& handle, int signum) {
    uv_signal_init(&loop_, &handle);
    handle.data = this;
    uv_signal_start(
        &handle, [](uv_signal_t* h, int) { static_cast<Service*>(h->data)->on_signal(); }, signum);
  }

  void on_signal() {
    if (shutting_down_) {
      std::fprintf(stderr, "offload-server: second signal: stopping now\n");
      force_drain();  // second signal: do not wait any longer
      give_up();
      return;
    }
    shutting_down_ = true;
    std::fprintf(stderr, "offload-server: shutting down (%zu connections open)\n",
                 server_->connection_count());
    lag_probe_->stop();
    uv_timer_init(&loop_, &drain_timer_);
    drain_timer_.data = this;
    uv_timer_start(
        &drain_timer_, [](uv_timer_t* t) { static_cast<Service*>(t->data)->force_drain(); },
        to_ms(config_.drain_timeout_s), 0);
    uv_timer_init(&loop_, &give_up_timer_);
    give_up_timer_.data = this;
    uv_timer_start(
        &give_up_timer_, [](uv_timer_t* t) { static_cast<Service*>(t->data)->give_up(); },
        to_ms(config_.drain_timeout_s) + kStopGraceMs, 0);
    server_->drain([this] { drained(); });
  }

  // The pool did not stop in time: leave its jobs behind. uv_run returns at the end of this
  // turn, whatever handles are still open; run() then exits without closing the loop.
  void give_up() {
    if (abandoned_) return;
    abandoned_ = true;
    for (const auto& job : offloader_->abandon())
      std::fprintf(stderr, "offload-server: abandoned %s\n", job.c_str());
    uv_stop(&loop_);
  }

  void force_drain() {
    http::Response busy = http::error_response(503, "server is shutting down", true);
    busy.retry_after_s = 1;
    server_->close_all(busy);
  }

  void drained() {
    uv_close(reinterpret_cast<uv_handle_t*>(&drain_timer_), nullptr);
    offloader_->stop([this] {
      uv_close(reinterpret_cast<uv_handle_t*>(&give_up_timer_), nullptr);
      uv_close(reinterpret_cast<uv_handle_t*>(&sigint_), nullptr);
      uv_close(reinterpret_cast<uv_handle_t*>(&sigterm_), nullptr);
      // Closing the watchers restores the default action, which would kill us mid-teardown
      // (homes not yet removed, exit code lost) if another signal came: we are leaving anyway.
      std::signal(SIGINT, SIG_IGN);
      std::signal(SIGTERM, SIG_IGN);
    });
  }

  // The watchdog's deadline passed with the loop still in a job (an inline job holds it): the
  // loop's thread is inside that job and touches nothing else, so the homes can go.
  void abandon_from_watchdog() {
    const std::string job = loop_job_.get();
    std::fprintf(stderr, "offload-server: abandoned the job running on the event loop (%s%s%s)\n",
                 strategy_.name.c_str(), job.empty() ? "" : ": ", job.c_str());
    workload_->stop();
  }

  // From here on a SIGINT or SIGTERM (a second Ctrl-C) must not end the process, which is
  // leaving cleanly. libuv gives a signal back its default action (end the process) when the
  // last watcher of it closes, and any thread that does not block it (a pool's, a client
  // library's) could take one in that moment; blocking it in this thread and ignoring it after
  // left that window open (seen: exit by SIGTERM under load). So watchers that are never
  // closed, on a loop that never runs, hold both signals to the end: when the watchdog's close,
  // libuv's handler stays and a late signal goes, unread, to that loop's pipe.
  void stop_watchdog() {
    static LateSignalSink sink;  // one per process, kept to its end
    watchdog_.reset();
  }

  // After the loop: every worker has stopped, so nothing of the workload runs any more (no
  // gpg can start again in its homes).
  void teardown() {
    workload_->stop();
    close_loop();
  }

  void close_loop() {
    // Every handle should be closed by now; a leak would make uv_loop_close fail.
    if (uv_loop_close(&loop_) != 0) {
      uv_walk(
          &loop_,
          [](uv_handle_t* h, void*) {
            std::fprintf(stderr, "offload-server: handle left open: %s\n",
                         uv_handle_type_name(h->type));
          },
          nullptr);
    }
  }

  Config config_;
  std::string program_path_;
  std::uint64_t started_ns_;
  const offload::Strategy& strategy_;  // its registry entry
  // Before the offloader: its workers run this workload, so it goes after them.
  std::unique_ptr<workloads::Workload> workload_;
  uv_loop_t loop_{};
  uv_signal_t sigint_{};
  uv_signal_t sigterm_{};
  uv_timer_t drain_timer_{};
  uv_timer_t give_up_timer_{};
  bool shutting_down_ = false;
  bool abandoned_ = false;  // shutdown ran out of time; jobs were left running
  Metrics metrics_;
  std::string loop_cpu_refused_;
  std::string workers_refused_;        // the workers' knobs, tried at start
  std::string effective_worker_cpus_;  // what workers are pinned to ("" when not)
  std::unique_ptr<offload::Offloader> offloader_;
  LoopJobNote loop_job_;  // the job an inline strategy's loop is in: the watchdog names it
  std::optional<Router> router_;
  std::optional<http::Server> server_;
  std::optional<LoopLagProbe> lag_probe_;
  std::optional<ShutdownWatchdog> watchdog_;
};

}  // namespace

int run_service(const Config& config, const std::string& program_path) {
  raise_fd_limit();
  Service service(config, program_path);
  return service.run();
}

}  // namespace app
