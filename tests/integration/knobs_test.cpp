// Pool knobs and scheduling: each knob read back from /proc where it applies, the elastic
// process pool growing and shrinking, and worker recycling without a failed request.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "raw_http.hpp"
#include "server_process.hpp"

namespace {

using namespace std::chrono_literals;
using testsupport::get_request;
using testsupport::metric;
using testsupport::roundtrip;
using testsupport::ServerProcess;

struct Sched {
  int nice = 0;
  int policy = 0;  // 0 normal, 3 batch, 5 idle
  std::string cpus;
};

// A thread's (or a process's main thread's) scheduling, from /proc/PID[/task/TID]/stat|status.
Sched sched_of(const std::filesystem::path& dir) {
  Sched s;
  std::ifstream stat(dir / "stat");
  std::string line;
  std::getline(stat, line);
  std::istringstream fields(line.substr(line.rfind(')') + 2));
  std::vector<std::string> f((std::istream_iterator<std::string>(fields)),
                             std::istream_iterator<std::string>());
  // After "pid (comm) ": field 3 is f[0]; nice is field 19, policy field 41.
  s.nice = std::stoi(f.at(19 - 3));
  s.policy = std::stoi(f.at(41 - 3));
  std::ifstream status(dir / "status");
  while (std::getline(status, line))
    if (line.rfind("Cpus_allowed_list:", 0) == 0)
      s.cpus = line.substr(line.find_first_not_of(" \t", 18));
  return s;
}

bool two_cpus() {
  return std::thread::hardware_concurrency() >= 2;
}

class ThreadKnobs : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(ThreadPools, ThreadKnobs, ::testing::Values("thread", "uvpool"),
                         [](const auto& info) { return info.param; });

TEST_P(ThreadKnobs, WorkerThreadsGetNicePolicyAndCpusTheLoopKeepsItsCore) {
  if (!two_cpus()) GTEST_SKIP() << "needs 2 CPUs";
  ServerProcess server(OFFLOAD_SERVER,
                       {"--strategy", GetParam(), "--port", "0", "--workers", "2", "--fib", "25",
                        "--worker-nice", "7", "--worker-policy", "batch", "--loop-cpu", "0"});
  // Two jobs at once so both worker threads have started and joined.
  std::thread a([&] { roundtrip(server.port(), get_request("/")); });
  std::thread b([&] { roundtrip(server.port(), get_request("/")); });
  a.join();
  b.join();
  const auto proc = std::filesystem::path("/proc") / std::to_string(server.pid());
  const Sched loop = sched_of(proc);
  EXPECT_EQ(loop.nice, 0);
  EXPECT_EQ(loop.policy, 0);
  EXPECT_EQ(loop.cpus, "0");
  int workers = 0;
  for (const auto& task : std::filesystem::directory_iterator(proc / "task")) {
    const Sched t = sched_of(task.path());
    if (t.nice != 7) continue;  // the loop, or a helper thread that runs no job
    ++workers;
    EXPECT_EQ(t.policy, 3) << task.path();
    EXPECT_EQ(t.cpus.find('0'), std::string::npos) << "workers avoid the loop's CPU: " << t.cpus;
  }
  EXPECT_GE(workers, 1);
  const auto m = roundtrip(server.port(), get_request("/metrics"));
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("worker_nice=\"7\",worker_policy=\"batch\",loop_cpu=\"0\""),
            std::string::npos)
      << m->body;
  EXPECT_NE(m->body.find("refused=\"\"} 1"), std::string::npos);
}

TEST(ProcessKnobs, WorkerProcessesGetNicePolicyAndCpus) {
  if (!two_cpus()) GTEST_SKIP() << "needs 2 CPUs";
  ServerProcess server(OFFLOAD_SERVER,
                       {"--strategy", "process", "--port", "0", "--workers", "2", "--worker-nice",
                        "4", "--worker-policy", "idle", "--worker-cpus", "1"});
  ASSERT_TRUE(roundtrip(server.port(), get_request("/?n=20")));
  const auto children = testsupport::child_pids(server.pid());
  ASSERT_EQ(children.size(), 2u);
  for (pid_t child : children) {
    // A worker applies its knobs (policy, nice, then CPUs) first thing after exec; on a
    // busy machine give it a moment to apply all three.
    const auto dir = std::filesystem::path("/proc") / std::to_string(child);
    Sched s = sched_of(dir);
    for (int i = 0; i < 200 && (s.nice != 4 || s.policy != 5 || s.cpus != "1"); ++i) {
      std::this_thread::sleep_for(10ms);
      s = sched_of(dir);
    }
    EXPECT_EQ(s.nice, 4);
    EXPECT_EQ(s.policy, 5);
    EXPECT_EQ(s.cpus, "1");
  }
  EXPECT_EQ(sched_of(std::filesystem::path("/proc") / std::to_string(server.pid())).nice, 0);
}

TEST(Knobs, BadValuesAreRefusedAtStart) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--worker-nice", "20"},
                                             {"--worker-policy", "fifo"},
                                             {"--loop-cpu", "4096"},
                                             {"--worker-cpus", "0-"},
                                             {"--min-workers", "3", "--max-workers", "2"}}) {
    const auto out = testsupport::run_program(OFFLOAD_SERVER, args, {}, 10s);
    EXPECT_TRUE(WIFEXITED(out.status) && WEXITSTATUS(out.status) == 2)
        << args[0] << ": " << out.output;
    EXPECT_NE(out.output.find(args[0]), std::string::npos) << out.output;
  }
}

TEST(ElasticPool, GrowsUnderQueueingAndShrinksWhenIdle) {
  ServerProcess server(OFFLOAD_SERVER,
                       {"--strategy", "process", "--port", "0", "--min-workers", "1",
                        "--max-workers", "3", "--worker-idle-timeout", "0.3", "--max-n", "60"});
  const int port = server.port();
  EXPECT_NE(server.ready_line().find("workers=1-3"), std::string::npos) << server.ready_line();
  EXPECT_EQ(metric(port, "offload_workers_alive"), 1);
  // Three jobs at once: two must wait, so the pool grows to three.
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 3; ++i)
    clients.emplace_back([&] {
      const auto r = roundtrip(port, get_request("/?n=36"), 30s);
      if (r && r->status == 200) ++ok;
    });
  double peak = 0;
  for (int i = 0; i < 200 && peak < 3; ++i) {
    peak = std::max(peak, metric(port, "offload_workers_alive"));
    std::this_thread::sleep_for(5ms);
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 3);
  EXPECT_EQ(peak, 3);
  // Idle for longer than the timeout: back to the minimum, the others gone for good.
  double alive = 3;
  for (int i = 0; i < 300 && alive != 1; ++i) {
    std::this_thread::sleep_for(10ms);
    alive = metric(port, "offload_workers_alive");
  }
  EXPECT_EQ(alive, 1);
  for (int i = 0; i < 100 && testsupport::child_pids(server.pid()).size() != 1; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(testsupport::child_pids(server.pid()).size(), 1u);
  EXPECT_EQ(metric(port, "offload_workers_restarted_total"), 0) << "leaving is not dying";
}

TEST(Recycling, WorkersAreReplacedAfterNJobsWithoutAFailedRequest) {
  ServerProcess server(OFFLOAD_SERVER, {"--strategy", "process", "--port", "0", "--workers", "2",
                                        "--max-jobs-per-worker", "5", "--fib", "20"});
  const int port = server.port();
  std::set<pid_t> seen;
  int ok = 0;
  std::vector<std::thread> clients;
  std::atomic<int> concurrent_ok{0};
  for (int c = 0; c < 2; ++c)
    clients.emplace_back([&] {
      testsupport::RawConnection conn(port);
      for (int i = 0; i < 20; ++i) {
        if (!conn.send(get_request("/"))) return;
        const auto r = conn.read_reply();
        if (r && r->body == "answer is >>> 6765\n") ++concurrent_ok;
      }
    });
  for (auto& t : clients) t.join();
  for (pid_t p : testsupport::child_pids(server.pid())) seen.insert(p);
  for (int i = 0; i < 10; ++i) {
    const auto r = roundtrip(port, get_request("/"));
    ok += r && r->status == 200 ? 1 : 0;
  }
  EXPECT_EQ(concurrent_ok.load(), 40) << "no request fails while workers are recycled";
  EXPECT_EQ(ok, 10);
  EXPECT_GE(metric(port, "offload_workers_recycled_total"), 8);  // 50 jobs / 5, give or take
  EXPECT_EQ(metric(port, "offload_workers_restarted_total"), 0);
  EXPECT_EQ(metric(port, "offload_workers_alive"), 2);
  const auto status = server.stop(SIGTERM);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

}  // namespace
