// offload-overhead: the round trip of a trivial job (fib(1)) through the thread and process
// strategies, one job at a time, next to the raw floor of this machine measured in the same
// run: an eventfd ping-pong between two threads and a pipe ping-pong between two processes.
// A benchmark, not a test: it prints jobs/s, p50 and p99 per job, and the ratios.
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "process_worker.hpp"
#include "strategy_registry.hpp"
#include "workload_registry.hpp"

namespace {

struct Figures {
  double per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
};

Figures summarise(std::vector<double>& us, double total_s) {
  std::sort(us.begin(), us.end());
  Figures f;
  f.per_second = static_cast<double>(us.size()) / total_s;
  f.p50_us = us[us.size() / 2];
  f.p99_us = us[static_cast<std::size_t>(static_cast<double>(us.size()) * 0.99)];
  return f;
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Jobs through a real Offloader on a real libuv loop, the next submitted from the completion.
Figures through_offloader(const std::string& strategy, offload::OffloadSetup setup, int jobs) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  const auto fib = workloads::make_workload("fib");
  workloads::Job job;
  fib->parse("n=1", &job);
  setup.loop = &loop;
  setup.workload = fib.get();
  auto offloader = offload::find_strategy(strategy)->make(setup);
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(jobs));
  int warmup = jobs / 10;
  double start = 0, t0 = 0;
  std::function<void()> next = [&] {
    t0 = now_s();
    offloader->submit(job, [&](offload::JobOutcome outcome) {
      if (!outcome.result.ok) {
        std::fprintf(stderr, "job failed: %s\n", outcome.result.text.c_str());
        std::exit(1);
      }
      const double t1 = now_s();
      if (warmup > 0) {
        if (--warmup == 0) start = t1;
      } else {
        us.push_back((t1 - t0) * 1e6);
      }
      if (static_cast<int>(us.size()) < jobs) {
        next();
      } else {
        offloader->stop([] {});
      }
    });
  };
  next();
  uv_run(&loop, UV_RUN_DEFAULT);
  const double total = now_s() - start;
  offloader.reset();
  uv_loop_close(&loop);
  return summarise(us, total);
}

// Two threads handing a token back and forth through eventfds (both sides block).
Figures eventfd_pingpong(int rounds) {
  const int ping = eventfd(0, EFD_CLOEXEC), pong = eventfd(0, EFD_CLOEXEC);
  std::thread peer([&] {
    std::uint64_t v;
    for (int i = 0; i < rounds; ++i) {
      if (read(ping, &v, sizeof v) != sizeof v) return;
      v = 1;
      if (write(pong, &v, sizeof v) != sizeof v) return;
    }
  });
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(rounds));
  const double start = now_s();
  for (int i = 0; i < rounds; ++i) {
    const double t0 = now_s();
    std::uint64_t v = 1;
    if (write(ping, &v, sizeof v) != sizeof v || read(pong, &v, sizeof v) != sizeof v) break;
    us.push_back((now_s() - t0) * 1e6);
  }
  const double total = now_s() - start;
  peer.join();
  close(ping);
  close(pong);
  return summarise(us, total);
}

// Two processes echoing a message the size of a job frame through a pair of pipes.
Figures pipe_pingpong(int rounds) {
  int to[2], from[2];
  if (pipe2(to, O_CLOEXEC) != 0 || pipe2(from, O_CLOEXEC) != 0) std::exit(1);
  const pid_t child = fork();
  char msg[32] = {};
  if (child == 0) {
    for (int i = 0; i < rounds; ++i) {
      if (read(to[0], msg, sizeof msg) <= 0 || write(from[1], msg, sizeof msg) <= 0) _exit(1);
    }
    _exit(0);
  }
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(rounds));
  const double start = now_s();
  for (int i = 0; i < rounds; ++i) {
    const double t0 = now_s();
    if (write(to[1], msg, sizeof msg) <= 0 || read(from[0], msg, sizeof msg) <= 0) break;
    us.push_back((now_s() - t0) * 1e6);
  }
  const double total = now_s() - start;
  waitpid(child, nullptr, 0);
  for (int fd : {to[0], to[1], from[0], from[1]}) close(fd);
  return summarise(us, total);
}

void print(const char* name, const Figures& f) {
  std::printf("  %-34s %10.0f /s   p50 %7.1f us   p99 %7.1f us\n", name, f.per_second, f.p50_us,
              f.p99_us);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "worker") == 0)
    return offload::run_worker(argc - 2, argv + 2);
  if (argc >= 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::printf(
        "usage: offload-overhead [JOBS]\n\nRound trip of fib(1) through the thread and "
        "process strategies (one job at a time, JOBS of them, default 20000) next to "
        "the raw floor: eventfd ping-pong between threads, pipe ping-pong between "
        "processes.\n");
    return 0;
  }
  const int jobs = argc >= 2 ? std::atoi(argv[1]) : 20000;
  if (jobs < 100) {
    std::fprintf(stderr, "offload-overhead: JOBS must be at least 100\n");
    return 2;
  }
  char path[4096];
  std::size_t len = sizeof path;
  uv_exepath(path, &len);

  offload::OffloadSetup setup;
  setup.pool.workers = 1;
  setup.process.program = std::string(path, len);
  setup.process.args = {"worker"};

  std::printf("offload round trip of fib(1), %d jobs one at a time (%u cores)\n", jobs,
              std::thread::hardware_concurrency());
  const Figures thread = through_offloader("thread", setup, jobs);
  const Figures floor_thread = eventfd_pingpong(jobs);
  const Figures process = through_offloader("process", setup, jobs);
  const Figures floor_process = pipe_pingpong(jobs);
  print("thread strategy (oneTBB + mailbox)", thread);
  print("floor: eventfd ping-pong, 2 threads", floor_thread);
  print("process strategy (pipes + libuv)", process);
  print("floor: pipe ping-pong, 2 processes", floor_process);
  std::printf("ratio thread/floor (p50): %.2fx   process/floor (p50): %.2fx   (target <= 1.5x)\n",
              thread.p50_us / floor_thread.p50_us, process.p50_us / floor_process.p50_us);
  return 0;
}
