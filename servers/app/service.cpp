// Service lifecycle. Shutdown order matters: the listener closes first (no new clients),
// connections finish the request in hand (bounded by --drain-timeout, then 503), then the
// pool stops (queued jobs cancelled, workers retired and reaped), then the last handles close
// and uv_run returns. A second signal skips the rest of the drain.
#include "service.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <optional>

#include "loop_lag.hpp"
#include "metrics.hpp"
#include "offloader.hpp"
#include "router.hpp"
#include "server.hpp"

namespace app {

namespace {

constexpr std::uint64_t kLagProbeMs = 10;

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
  Service(const Config& config, const std::string& program_path)
      : config_(config), started_ns_(uv_hrtime()) {
    uv_loop_init(&loop_);
    uv_loop_configure(&loop_, UV_METRICS_IDLE_TIME);
    offload::PoolConfig pool;
    pool.strategy = config.strategy;
    pool.workers = config.workers;
    pool.max_queue = config.max_queue;
    pool.job_timeout_ms = to_ms(config.job_timeout_s);
    pool.worker_program = program_path;
    pool.worker_args = {"worker", "--parent-pid", std::to_string(getpid())};
    offloader_ = offload::make_offloader(&loop_, pool);
    router_.emplace(config_, *offloader_, metrics_, [this] { return facts(); });
    http::ServerOptions options;
    options.idle_timeout_ms = to_ms(config.idle_timeout_s);
    options.header_timeout_ms = to_ms(config.header_timeout_s);
    server_.emplace(&loop_, *router_, options);
  }

  int run() {
    if (std::string err = server_->listen(config_.host, config_.port); !err.empty()) {
      std::fprintf(stderr, "offload-server: %s\n", err.c_str());
      offloader_->stop([] {});
      uv_run(&loop_, UV_RUN_DEFAULT);
      close_loop();
      return 1;
    }
    watch_signal(sigint_, SIGINT);
    watch_signal(sigterm_, SIGTERM);
    lag_probe_.emplace(&loop_, kLagProbeMs, [this](double lag) { metrics_.observe_loop_lag(lag); });

    const std::string shown_host =
        config_.host.find(':') != std::string::npos ? "[" + config_.host + "]" : config_.host;
    std::printf("listening on %s:%d strategy=%s workers=%u fib=%u\n", shown_host.c_str(),
                server_->port(), config_.strategy.c_str(),
                config_.strategy == "inline" ? 1u : config_.workers, config_.fib);
    std::fflush(stdout);

    uv_run(&loop_, UV_RUN_DEFAULT);
    close_loop();
    return 0;
  }

 private:
  ServerFacts facts() const {
    ServerFacts f;
    f.strategy = config_.strategy;
    f.workers = config_.strategy == "inline" ? 1 : config_.workers;
    f.fib = config_.fib;
    f.max_queue = config_.max_queue;
    f.pool = offloader_->stats();
    f.connections = server_->connection_count();
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
      force_drain();  // second signal: do not wait any longer
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
    server_->drain([this] { drained(); });
  }

  void force_drain() {
    http::Response busy = http::error_response(503, "server is shutting down", true);
    busy.retry_after_s = 1;
    server_->close_all(busy);
  }

  void drained() {
    uv_close(reinterpret_cast<uv_handle_t*>(&drain_timer_), nullptr);
    offloader_->stop([this] {
      uv_close(reinterpret_cast<uv_handle_t*>(&sigint_), nullptr);
      uv_close(reinterpret_cast<uv_handle_t*>(&sigterm_), nullptr);
    });
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
  std::uint64_t started_ns_;
  uv_loop_t loop_{};
  uv_signal_t sigint_{};
  uv_signal_t sigterm_{};
  uv_timer_t drain_timer_{};
  bool shutting_down_ = false;
  Metrics metrics_;
  std::unique_ptr<offload::Offloader> offloader_;
  std::optional<Router> router_;
  std::optional<http::Server> server_;
  std::optional<LoopLagProbe> lag_probe_;
};

}  // namespace

int run_service(const Config& config, const std::string& program_path) {
  raise_fd_limit();
  Service service(config, program_path);
  return service.run();
}

}  // namespace app
