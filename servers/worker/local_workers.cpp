// Local offload-worker processes: start, reap by pid, restart with a back-off.
#include "local_workers.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "child_process.hpp"

namespace offload::hosting {

namespace {

constexpr std::uint64_t kYoungDeathMs = 1000;  // dying sooner than this counts as a crash loop
constexpr std::uint64_t kMaxBackoffMs = 10'000;
constexpr std::uint64_t kKillAfterMs = 2000;  // a worker told to stop that has not exited by then

std::string format_seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", s);
  return text;
}

}  // namespace

std::string LocalWorkers::start(Options options, std::uint64_t now_ms) {
  options_ = std::move(options);
  workers_.assign(options_.count, Worker{});
  started_ms_.assign(options_.count, 0);
  due_ms_.assign(options_.count, 0);
  generation_.assign(options_.count, 0);
  for (std::size_t slot = 0; slot < workers_.size(); ++slot) {
    workers_[slot].slot = slot;
    if (std::string err = spawn_slot(workers_[slot], now_ms); !err.empty()) {
      kill_all_now();
      return "cannot start offload-worker: " + err;
    }
  }
  return {};
}

std::string LocalWorkers::spawn_slot(Worker& w, std::uint64_t now_ms) {
  const unsigned gen = ++generation_[w.slot];
  w.id = id_prefix(w.slot) + std::to_string(gen);
  SpawnOptions spawn_options;
  spawn_options.program = options_.program;
  spawn_options.args = {"--nats",        options_.nats_url,
                        "--workload",    options_.workload,
                        "--concurrency", "1",
                        "--slot",        std::to_string(w.slot),
                        "--id",          w.id,
                        "--heartbeat",   format_seconds(options_.heartbeat_s)};
  // Every knob explicitly: the server's environment (WORKER_NICE=5 under --worker-nice 0, say)
  // must not decide them.
  spawn_options.args.insert(spawn_options.args.end(),
                            {"--worker-nice", std::to_string(options_.knobs.nice),
                             "--worker-policy", options_.knobs.policy, "--drain-timeout", "5"});
  if (!options_.knobs.cpus.empty())
    spawn_options.args.insert(spawn_options.args.end(),
                              {"--worker-cpus", format_cpu_list(options_.knobs.cpus)});
  spawn_options.args.push_back("--");
  spawn_options.args.insert(spawn_options.args.end(), options_.workload_args.begin(),
                            options_.workload_args.end());
  // The token travels in the environment (a command line is visible to every user).
  spawn_options.env = {{"NATS_TOKEN", options_.token}};
  spawn_options.unset_env = {"WORKER_CPUS", "NATS_URL"};
  // Their ready lines would mix with the server's on stdout: they go to stderr.
  spawn_options.stdout_fd = STDERR_FILENO;
  pid_t pid = -1;
  if (std::string err = spawn(spawn_options, pid); !err.empty()) return err;
  w.pid = pid;
  w.killed = false;
  started_ms_[w.slot] = now_ms;
  return {};
}

std::vector<LocalWorkers::Death> LocalWorkers::poll(std::uint64_t now_ms) {
  std::vector<Death> deaths;
  for (auto& w : workers_) {
    if (stopping_ && w.pid > 0 && now_ms - stopping_since_ms_ > kKillAfterMs) kill(w.pid, SIGKILL);
    int status = 0;
    if (w.pid > 0 && try_reap(w.pid, status)) {
      deaths.push_back({w.id, w.pid, status});
      w.pid = -1;
      if (stopping_) continue;
      if (now_ms - started_ms_[w.slot] < kYoungDeathMs && !w.killed) {
        ++young_deaths_;
      } else {
        young_deaths_ = 0;
      }
      const unsigned shift = young_deaths_ < 8 ? young_deaths_ : 8;
      backoff_ms_ = young_deaths_ == 0 ? 0 : std::min<std::uint64_t>(50ull << shift, kMaxBackoffMs);
      due_ms_[w.slot] = now_ms + backoff_ms_;
      ++restarts_;
      ++w.restarts;
      std::fprintf(stderr,
                   "offload-server: local worker %s (pid %d) %s; a new one starts in %llu ms\n",
                   w.id.c_str(), static_cast<int>(deaths.back().pid), describe_exit(status).c_str(),
                   static_cast<unsigned long long>(backoff_ms_));
    }
    if (w.pid < 0 && !stopping_ && now_ms >= due_ms_[w.slot]) {
      if (std::string err = spawn_slot(w, now_ms); !err.empty()) {
        std::fprintf(stderr, "offload-server: cannot start a local worker: %s\n", err.c_str());
        due_ms_[w.slot] = now_ms + kMaxBackoffMs;
      }
    }
  }
  return deaths;
}

bool LocalWorkers::kill_worker(const std::string& id) {
  for (auto& w : workers_) {
    if (w.id != id || w.pid <= 0) continue;
    kill(w.pid, SIGKILL);
    w.killed = true;
    return true;
  }
  return false;
}

void LocalWorkers::terminate_all(std::uint64_t now_ms) {
  stopping_ = true;
  stopping_since_ms_ = now_ms;
  for (const auto& w : workers_)
    if (w.pid > 0) kill(w.pid, SIGTERM);
}

bool LocalWorkers::all_reaped() const {
  return std::none_of(workers_.begin(), workers_.end(), [](const Worker& w) { return w.pid > 0; });
}

void LocalWorkers::kill_all_now() {
  stopping_ = true;
  for (auto& w : workers_) {
    if (w.pid > 0) kill_and_reap(w.pid);
    w.pid = -1;
  }
}

}  // namespace offload::hosting
