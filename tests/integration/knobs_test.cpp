// Pool knobs and scheduling: each knob read back from /proc where it applies, the elastic
// process pool growing and shrinking, and worker recycling without a failed request.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "raw_http.hpp"
#include "server_process.hpp"
#include "strategy_registry.hpp"

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

// Strategies whose scheduling knobs apply to threads of the server (read from /proc/PID/task).
class ThreadKnobs : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(ThreadPools, ThreadKnobs,
                         ::testing::ValuesIn(offload::strategy_names([](const auto& s) {
                           return s.workload_in_server && s.has_knob("worker-nice");
                         })),
                         [](const auto& info) { return info.param; });

// The same knobs on worker processes (read from /proc/CHILD). remote (knob "nats") sets them
// on its workers' job threads alone: remote_test.cpp.
class ProcessKnobs : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(WorkerProcesses, ProcessKnobs,
                         ::testing::ValuesIn(offload::strategy_names([](const auto& s) {
                           return !s.workload_in_server && s.has_knob("worker-nice") &&
                                  !s.has_knob("nats");
                         })),
                         [](const auto& info) { return info.param; });

// Strategies with an elastic pool (--min-workers / --max-workers).
class ElasticPool : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(Elastic, ElasticPool,
                         ::testing::ValuesIn(offload::strategy_names([](const auto& s) {
                           return s.has_knob("min-workers") && s.has_knob("max-workers");
                         })),
                         [](const auto& info) { return info.param; });

// Strategies that recycle their workers (--max-jobs-per-worker).
class Recycling : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(Recycled, Recycling,
                         ::testing::ValuesIn(offload::strategy_names([](const auto& s) {
                           return s.has_knob("max-jobs-per-worker");
                         })),
                         [](const auto& info) { return info.param; });

// "0-2,5" -> {0,1,2,5}.
std::set<int> cpu_set(const std::string& list) {
  std::set<int> cpus;
  std::istringstream in(list);
  for (std::string part; std::getline(in, part, ',');) {
    const auto dash = part.find('-');
    const int lo = std::stoi(part.substr(0, dash));
    const int hi = dash == std::string::npos ? lo : std::stoi(part.substr(dash + 1));
    for (int c = lo; c <= hi; ++c) cpus.insert(c);
  }
  return cpus;
}

TEST_P(ThreadKnobs, WorkerThreadsGetNicePolicyAndCpusTheLoopKeepsItsCore) {
  if (!two_cpus()) GTEST_SKIP() << "needs 2 CPUs";
  ServerProcess server(OFFLOAD_SERVER,
                       {"--strategy", GetParam(), "--port", "0", "--workers", "2", "--fib", "25",
                        "--worker-nice", "7", "--worker-policy", "batch", "--loop-cpu", "0"});
  const auto proc = std::filesystem::path("/proc") / std::to_string(server.pid());
  // Workers get every CPU the server may use but the loop's.
  std::set<int> expected_cpus = cpu_set(sched_of("/proc/self").cpus);
  expected_cpus.erase(0);
  // The threads the server has before its first job are not workers (the loop, the shutdown
  // watchdog): pool threads start with the first jobs.
  std::set<std::string> before_jobs;
  for (const auto& task : std::filesystem::directory_iterator(proc / "task"))
    before_jobs.insert(task.path().filename());
  // A worker thread applies the knobs when it takes its first job: send pairs of jobs until
  // every thread started since has (or the deadline passes and the test fails on it).
  std::vector<std::filesystem::path> workers;
  bool all_applied = false;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!all_applied && std::chrono::steady_clock::now() < deadline) {
    std::thread a([&] { roundtrip(server.port(), get_request("/")); });
    std::thread b([&] { roundtrip(server.port(), get_request("/")); });
    a.join();
    b.join();
    workers.clear();
    all_applied = true;
    for (const auto& task : std::filesystem::directory_iterator(proc / "task")) {
      if (before_jobs.count(task.path().filename())) continue;
      workers.push_back(task.path());
      all_applied = all_applied && sched_of(task.path()).nice == 7;
    }
    all_applied = all_applied && !workers.empty();
  }
  ASSERT_FALSE(workers.empty()) << "no worker thread";
  for (const auto& task : workers) {
    const Sched t = sched_of(task);
    EXPECT_EQ(t.nice, 7) << task;
    EXPECT_EQ(t.policy, 3) << task;
    EXPECT_EQ(cpu_set(t.cpus), expected_cpus) << "workers avoid the loop's CPU: " << t.cpus;
  }
  const Sched loop = sched_of(proc);
  EXPECT_EQ(loop.nice, 0);
  EXPECT_EQ(loop.policy, 0);
  EXPECT_EQ(loop.cpus, "0");
  const auto m = roundtrip(server.port(), get_request("/metrics"));
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("worker_nice=\"7\",worker_policy=\"batch\",loop_cpu=\"0\""),
            std::string::npos)
      << m->body;
  EXPECT_NE(m->body.find("refused=\"\"} 1"), std::string::npos);
}

TEST_P(ProcessKnobs, WorkerProcessesGetNicePolicyAndCpus) {
  if (!two_cpus()) GTEST_SKIP() << "needs 2 CPUs";
  ServerProcess server(OFFLOAD_SERVER,
                       {"--strategy", GetParam(), "--port", "0", "--workers", "2", "--worker-nice",
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

TEST_P(ElasticPool, GrowsUnderQueueingAndShrinksWhenIdle) {
  ServerProcess server(OFFLOAD_SERVER,
                       {"--strategy", GetParam(), "--port", "0", "--min-workers", "1",
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

// With no queue at all, a job that finds every worker busy still starts a new worker while
// the pool is below its maximum, rather than being refused.
TEST_P(ElasticPool, GrowsWithAZeroQueue) {
  ServerProcess server(OFFLOAD_SERVER, {"--strategy", GetParam(), "--port", "0", "--min-workers",
                                        "1", "--max-workers", "3", "--max-queue", "0", "--max-n",
                                        "60", "--drain-timeout", "0.2"});
  const int port = server.port();
  ASSERT_EQ(metric(port, "offload_workers_alive"), 1);
  std::vector<std::thread> clients;
  std::atomic<int> ok{0}, refused{0};
  for (int i = 0; i < 3; ++i)
    clients.emplace_back([&] {
      const auto r = roundtrip(port, get_request("/?n=36"), 30s);
      if (r && r->status == 200) ++ok;
      if (r && r->status == 503) ++refused;
    });
  for (auto& t : clients) t.join();
  EXPECT_EQ(refused.load(), 0) << "the pool could grow: nothing should be refused";
  EXPECT_EQ(ok.load(), 3);
  EXPECT_EQ(metric(port, "offload_workers_alive"), 3) << "one worker per concurrent job";
  // Full at its maximum: a fourth job while three run is refused at once.
  std::vector<std::unique_ptr<testsupport::RawConnection>> busy;
  for (int i = 0; i < 3; ++i) {
    busy.push_back(std::make_unique<testsupport::RawConnection>(port));
    ASSERT_TRUE(busy.back()->send(get_request("/?n=50")));
  }
  for (int i = 0; i < 400 && metric(port, "offload_jobs_running") < 3; ++i)
    std::this_thread::sleep_for(5ms);
  ASSERT_EQ(metric(port, "offload_jobs_running"), 3);
  const auto r = roundtrip(port, get_request("/?n=20"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(metric(port, "offload_workers_alive"), 3);
}

TEST_P(Recycling, WorkersAreReplacedAfterNJobsWithoutAFailedRequest) {
  ServerProcess server(OFFLOAD_SERVER, {"--strategy", GetParam(), "--port", "0", "--workers", "2",
                                        "--max-jobs-per-worker", "5", "--fib", "20"});
  const int port = server.port();
  const auto first = testsupport::child_pids(server.pid());
  ASSERT_EQ(first.size(), 2u);
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
  for (int i = 0; i < 10; ++i) {
    const auto r = roundtrip(port, get_request("/"));
    ok += r && r->status == 200 ? 1 : 0;
  }
  EXPECT_EQ(concurrent_ok.load(), 40) << "no request fails while workers are recycled";
  EXPECT_EQ(ok, 10);
  EXPECT_GE(metric(port, "offload_workers_recycled_total"), 8);  // 50 jobs / 5, give or take
  EXPECT_EQ(metric(port, "offload_workers_restarted_total"), 0);
  EXPECT_EQ(metric(port, "offload_workers_alive"), 2);
  // The first workers are gone and reaped (a zombie is still a child); two new ones serve, and
  // none has done more than its 5 jobs.
  std::vector<pid_t> now = testsupport::child_pids(server.pid());
  for (int i = 0; i < 200 && now.size() != 2; ++i) {
    std::this_thread::sleep_for(10ms);
    now = testsupport::child_pids(server.pid());
  }
  EXPECT_EQ(now.size(), 2u) << "retired workers are reaped";
  for (pid_t pid : first) {
    EXPECT_EQ(std::count(now.begin(), now.end(), pid), 0)
        << "worker " << pid << " was never recycled";
    EXPECT_FALSE(testsupport::process_alive(pid)) << pid;
  }
  const auto m = roundtrip(port, get_request("/metrics"));
  ASSERT_TRUE(m);
  // Per slot: the current process's jobs (at most 5), and all the slot's processes' jobs,
  // which go on counting across recycling (50 jobs were answered in all).
  const std::regex jobs("offload_worker_process_jobs\\{slot=\"([0-9]+)\"\\} ([0-9]+)");
  int workers_listed = 0;
  double slot_jobs = 0;
  for (auto it = std::sregex_iterator(m->body.begin(), m->body.end(), jobs);
       it != std::sregex_iterator(); ++it) {
    ++workers_listed;
    EXPECT_LE(std::stoi((*it)[2]), 5) << "a worker ran past --max-jobs-per-worker";
    slot_jobs += testsupport::sample(
        m->body, "offload_worker_jobs_total{slot=\"" + std::string((*it)[1]) + "\"}");
  }
  EXPECT_EQ(workers_listed, 2);
  EXPECT_EQ(slot_jobs, 50) << "a slot's job count must go on across its processes";
  const auto status = server.stop(SIGTERM);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

}  // namespace
