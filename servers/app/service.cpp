// Service lifecycle. Shutdown order matters: the listener closes first (no new clients),
// connections finish the request in hand (bounded by --drain-timeout, then 503), then the
// pool stops (queued jobs cancelled, workers retired and reaped), then the last handles close
// and uv_run returns. A second signal skips the rest of the drain.
//
// Shutdown is bounded: a job running on a thread cannot be stopped, so if the pool has not
// stopped shortly after the drain timeout (or at once, on a second signal) the jobs still
// running are abandoned and named on stderr, worker processes are killed and reaped, the
// GnuPG homes removed, and the process exits without joining its pool threads. A job running
// on the loop itself (inline) keeps the loop from hearing the signal at all: the watchdog, on
// a thread of its own, ends the process a second after the drain timeout (or half a second
// after a second signal), removing the GnuPG homes first.
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

#include "gpg_home_set.hpp"
#include "gpg_init.hpp"
#include "gpg_size.hpp"
#include "gpg_spawn_probe.hpp"
#include "gpg_stale_homes.hpp"
#include "gpg_workload.hpp"
#include "loop_lag.hpp"
#include "metrics.hpp"
#include "offloader.hpp"
#include "router.hpp"
#include "sched_knobs.hpp"
#include "server.hpp"
#include "shutdown_watchdog.hpp"

namespace app {

namespace {

constexpr std::uint64_t kLagProbeMs = 10;
// After the drain timeout, how long the pool may take to stop before its jobs are abandoned:
// enough for worker processes to be killed and reaped, short of "about a second".
constexpr std::uint64_t kStopGraceMs = 500;
// After the drain timeout, how long the watchdog waits for the loop to come back from a job
// before it ends the process itself; after a second signal it waits kStopGraceMs.
constexpr std::uint64_t kWatchdogMs = 1000;

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
  Service(const Config& config, std::string program_path)
      : config_(config), program_path_(std::move(program_path)), started_ns_(uv_hrtime()) {
    uv_loop_init(&loop_);
    uv_loop_configure(&loop_, UV_METRICS_IDLE_TIME);
  }

  int run() {
    if (config_.workload == "gpg" && !setup_gpg()) {
      close_loop();
      return 1;
    }
    const offload::PoolConfig pool = pool_config();  // before the loop is pinned: see cpus_except
    effective_worker_cpus_ = offload::format_cpu_list(pool.worker_knobs.cpus);
    if (pool.worker_knobs.any() && config_.strategy != "inline") {
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
    offloader_ = offload::make_offloader(&loop_, pool);
    router_.emplace(config_, *offloader_, metrics_, [this] { return facts(); });
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
    watchdog_.emplace(ShutdownWatchdog::Deadlines{to_ms(config_.drain_timeout_s) + kWatchdogMs,
                                                   kStopGraceMs},
                      [this] { abandon_from_watchdog(); });
    watch_signal(sigint_, SIGINT);
    watch_signal(sigterm_, SIGTERM);
    lag_probe_.emplace(&loop_, kLagProbeMs, [this](double lag) { metrics_.observe_loop_lag(lag); });
    if (config_.strategy == "inline" && config_.job_timeout_s > 0)
      std::fprintf(stderr,
                   "offload-server: note: inline jobs run on the loop and cannot time out\n");
    print_ready_line();

    uv_run(&loop_, UV_RUN_DEFAULT);
    watchdog_->leave();
    stop_watchdog();
    if (abandoned_) {
      // Threads still run jobs: the loop cannot be closed, and the exit-time clean-up of
      // libuv's pool and oneTBB would wait for them. Clean what is ours, then leave at once.
      remove_homes();
      std::fflush(nullptr);
      std::_Exit(0);
    }
    teardown();
    return 0;
  }

 private:
  // The GnuPG homes (with their key) and this process's decryption workload, before any worker
  // exists: worker threads use the workload installed here, worker processes the homes.
  bool setup_gpg() {
    namespace gpg = workloads::gpg;
    if (std::string err = gpg::init_gpg_library(); !err.empty()) {
      std::fprintf(stderr, "offload-server: %s\n", err.c_str());
      return false;
    }
    for (const auto& stale : gpg::sweep_stale_homes())
      std::fprintf(stderr, "offload-server: removed %s, a GnuPG home left by a killed server\n",
                   stale.c_str());
    const auto mode = *gpg::parse_home_mode(config_.gpg_home);
    const auto key = *gpg::parse_key_type(config_.gpg_key);
    const std::size_t homes = config_.strategy == "inline" ? 1 : config_.workers;
    std::string err;
    homes_ = gpg::HomeSet::create(key, mode, homes, &err);
    if (!homes_) {
      std::fprintf(stderr, "offload-server: cannot set up GnuPG: %s\n", err.c_str());
      return false;
    }
    for (const auto& path : homes_->paths())
      std::fprintf(stderr, "offload-server: GnuPG home %s (%s, key %s %s)\n", path.c_str(),
                   config_.gpg_home.c_str(), config_.gpg_key.c_str(),
                   homes_->fingerprint().c_str());
    gpg::SpawnCost cost;
    if (gpg::probe_spawn_cost(homes_->paths().front(), homes_->fingerprint(), 5, &cost, &err)) {
      gpg_spawn_s_ = static_cast<double>(cost.spawn_us) / 1e6;
      gpg_startup_s_ = static_cast<double>(cost.keylist_us) / 1e6;
    }
    if (config_.strategy != "process") {
      workload_ = std::make_unique<gpg::Workload>(
          gpg::WorkloadConfig{homes_->paths(), homes_->fingerprint()});
      if (err = workload_->prepare(config_.payload_bytes); !err.empty()) {
        std::fprintf(stderr, "offload-server: cannot prepare the payload: %s\n", err.c_str());
        homes_->remove();
        return false;
      }
      workloads::install_gpg_workload(workload_.get());
    }
    return true;
  }

  offload::PoolConfig pool_config() const {
    offload::PoolConfig pool;
    pool.strategy = config_.strategy;
    pool.workers = config_.workers;
    pool.max_queue = config_.max_queue;
    pool.job_timeout_ms = to_ms(config_.job_timeout_s);
    pool.min_workers = config_.min_workers;
    pool.max_workers = config_.max_workers;
    pool.worker_idle_timeout_ms = to_ms(config_.worker_idle_timeout_s);
    pool.max_jobs_per_worker = config_.max_jobs_per_worker;
    pool.worker_knobs.nice = config_.worker_nice;
    pool.worker_knobs.policy = config_.worker_policy;
    if (!config_.worker_cpus.empty()) {
      offload::parse_cpu_list(config_.worker_cpus, pool.worker_knobs.cpus);
    } else if (config_.loop_cpu >= 0) {
      pool.worker_knobs.cpus = offload::cpus_except(config_.loop_cpu);  // a core of its own
    }
    pool.worker_program = program_path_;
    pool.worker_args = {"worker", "--parent-pid", std::to_string(getpid())};
    if (pool.worker_knobs.any()) {
      pool.worker_args.insert(
          pool.worker_args.end(),
          {"--nice", std::to_string(pool.worker_knobs.nice), "--policy", pool.worker_knobs.policy,
           "--cpus", offload::format_cpu_list(pool.worker_knobs.cpus)});
    }
    if (homes_) {
      for (const auto& path : homes_->paths()) {
        pool.worker_args.push_back("--gpg-home");
        pool.worker_args.push_back(path);
      }
      pool.worker_args.insert(pool.worker_args.end(),
                              {"--gpg-fingerprint", homes_->fingerprint(), "--payload-bytes",
                               std::to_string(config_.payload_bytes)});
    }
    return pool;
  }

  void print_ready_line() const {
    const std::string host =
        config_.host.find(':') != std::string::npos ? "[" + config_.host + "]" : config_.host;
    std::string line = "listening on " + host + ":" + std::to_string(server_->port()) +
                       " strategy=" + config_.strategy + " workers=" + workers_text();
    if (config_.workload == "gpg") {
      line +=
          " workload=gpg payload=" + workloads::gpg::format_payload_size(config_.payload_bytes) +
          " gpg-home=" + config_.gpg_home + " gpg-key=" + config_.gpg_key;
    } else {
      line += " fib=" + std::to_string(config_.fib);
    }
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }

  // "2", or "1-4" for an elastic process pool.
  std::string workers_text() const {
    if (config_.strategy == "inline") return "1";
    const unsigned lo = config_.min_workers > 0 ? config_.min_workers : config_.workers;
    const unsigned hi =
        std::max(lo, config_.max_workers > 0 ? config_.max_workers : config_.workers);
    if (config_.strategy != "process" || lo == hi) return std::to_string(lo);
    return std::to_string(lo) + "-" + std::to_string(hi);
  }

  // The knobs in force, as Prometheus label text.
  std::string knob_labels() const {
    const std::string loop_cpu = config_.loop_cpu >= 0 ? std::to_string(config_.loop_cpu) : "";
    return "worker_nice=\"" + std::to_string(config_.worker_nice) + "\",worker_policy=\"" +
           config_.worker_policy + "\",loop_cpu=\"" + loop_cpu + "\",worker_cpus=\"" +
           effective_worker_cpus_ + "\",workers=\"" + workers_text() + "\",max_jobs_per_worker=\"" +
           std::to_string(config_.max_jobs_per_worker) + "\",max_queue=\"" +
           std::to_string(config_.max_queue) + "\",worker_idle_timeout=\"" +
           format_seconds(config_.worker_idle_timeout_s) + "\"";
  }

  ServerFacts facts() const {
    ServerFacts f;
    f.strategy = config_.strategy;
    f.workers = config_.strategy == "inline" ? 1 : config_.workers;
    f.fib = config_.fib;
    f.max_queue = config_.max_queue;
    f.workload = config_.workload;
    if (config_.workload == "gpg")
      f.gpg_labels = ",payload_bytes=\"" + std::to_string(config_.payload_bytes) +
                     "\",gpg_home=\"" + config_.gpg_home + "\",gpg_key=\"" + config_.gpg_key + "\"";
    f.gpg_spawn_s = gpg_spawn_s_;
    f.gpg_startup_s = gpg_startup_s_;
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
    f.uptime_s = static_cast<double>(uv_hrtime() - started_ns_) / 1e9;
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
    std::fprintf(stderr, "offload-server: abandoned the job running on the event loop (%s)\n",
                 config_.strategy.c_str());
    remove_homes();
  }

  // Closing the watchdog's signal watchers restores the signals' default action: ignore them
  // again before anything else, blocked meanwhile so that none slips through in between.
  void stop_watchdog() {
    sigset_t stop_signals, before;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &before);
    watchdog_.reset();
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGTERM, SIG_IGN);
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
  }

  // After the loop: every worker has stopped, so no gpg can start again in our homes.
  void teardown() {
    workloads::install_gpg_workload(nullptr);
    workload_.reset();
    remove_homes();
    close_loop();
  }

  void remove_homes() {
    if (!homes_) return;
    if (std::string err = homes_->remove(); !err.empty())
      std::fprintf(stderr, "offload-server: removing GnuPG homes: %s\n", err.c_str());
    homes_.reset();
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
  uv_loop_t loop_{};
  uv_signal_t sigint_{};
  uv_signal_t sigterm_{};
  uv_timer_t drain_timer_{};
  uv_timer_t give_up_timer_{};
  bool shutting_down_ = false;
  bool abandoned_ = false;  // shutdown ran out of time; jobs were left running
  Metrics metrics_;
  std::unique_ptr<workloads::gpg::HomeSet> homes_;
  std::unique_ptr<workloads::gpg::Workload> workload_;
  std::string loop_cpu_refused_;
  std::string workers_refused_;        // the workers' knobs, tried at start
  std::string effective_worker_cpus_;  // what workers are pinned to ("" when not)
  double gpg_spawn_s_ = -1;
  double gpg_startup_s_ = -1;
  std::unique_ptr<offload::Offloader> offloader_;
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
