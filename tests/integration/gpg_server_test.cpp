// The gpg workload end to end: each strategy decrypts correct payloads (checked against the
// digest of the known plaintext), survives a corrupted ciphertext, and leaves no gpg-agent and
// no GnuPG home behind after SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>

#include "gpg_payload.hpp"
#include "gpg_sha256.hpp"
#include "poll.hpp"
#include "proc_files.hpp"
#include "raw_http.hpp"
#include "server_process.hpp"
#include "strategy_registry.hpp"

namespace {

using namespace std::chrono_literals;
using testsupport::get_request;
using testsupport::metric;
using testsupport::roundtrip;
using testsupport::ServerProcess;

std::string expected_answer(std::size_t bytes) {
  return "decrypted " + std::to_string(bytes) +
         " bytes sha256=" + workloads::gpg::sha256_hex(workloads::gpg::make_payload(bytes)) + "\n";
}

// The GnuPG homes the server announced on stderr ("GnuPG home /tmp/olg-… (shared, key …)"),
// not the ones it says it swept ("removed /tmp/olg-…, a GnuPG home left by a killed server").
std::vector<std::string> homes_of(const ServerProcess& server) {
  std::vector<std::string> homes;
  const std::string log = server.stderr_text();
  const std::regex home("offload-server: GnuPG home (/\\S+) \\(");
  for (auto it = std::sregex_iterator(log.begin(), log.end(), home); it != std::sregex_iterator();
       ++it)
    homes.push_back((*it)[1]);
  return homes;
}

// gpg-agent processes started for `home` (their command line names the home).
int agents_for(const std::string& home) {
  return testsupport::count_processes("gpg-agent", home);
}

// `count` once it has stayed 0 for 200 ms (10 s at most), else its last value. GPGME's spawn
// forks twice and returns before the grandchild execs gpg, so the gpg of an operation
// cancelled at once can appear after a first 0 (it finds its pipes closed and ends).
int settles_at_zero(const std::function<int()>& count) {
  int zeros = 0;  // polls in a row (20 ms apart) that found none
  testsupport::wait_until([&] { return (zeros = count() == 0 ? zeros + 1 : 0) > 10; }, 10s);
  return count();
}

class GpgServer : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(AllStrategies, GpgServer, ::testing::ValuesIn(offload::strategy_names()),
                         [](const auto& info) { return info.param; });

TEST_P(GpgServer, RoundTripsConcurrencyCorruptionAndCleanShutdown) {
  ServerProcess server(
      OFFLOAD_SERVER,
      {"--strategy", GetParam(), "--port", "0", "--workers", "2", "--workload", "gpg",
       "--payload-bytes", "4k", "--gpg-home", "per-worker", "--allow-corrupt", "1"},
      {}, 60s);
  const int port = server.port();
  const auto homes = homes_of(server);
  // One home per worker: the loop is a strategy's only worker when its jobs run there.
  ASSERT_EQ(homes.size(), offload::find_strategy(GetParam())->workers(2)) << server.stderr_text();
  for (const auto& home : homes) {
    EXPECT_EQ(std::filesystem::status(home).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_all)
        << home;
  }

  auto r = roundtrip(port, get_request("/"), 30s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, expected_answer(4096));
  for (std::size_t bytes : {std::size_t{4096}, std::size_t{65536}, std::size_t{1} << 20}) {
    r = roundtrip(port, get_request("/?bytes=" + std::to_string(bytes)), 30s);
    ASSERT_TRUE(r) << bytes;
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->body, expected_answer(bytes));
  }

  std::atomic<int> correct{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&, i] {
      const auto reply = roundtrip(port, get_request(i % 2 ? "/?bytes=64k" : "/"), 60s);
      if (reply && reply->body == expected_answer(i % 2 ? 65536 : 4096)) ++correct;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(correct.load(), 8);

  r = roundtrip(port, get_request("/?corrupt=1"), 30s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_NE(r->body.find("decrypt"), std::string::npos) << r->body;
  EXPECT_EQ(std::count(r->body.begin(), r->body.end(), '\n'), 1) << "one line: " << r->body;
  r = roundtrip(port, get_request("/"), 30s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, expected_answer(4096)) << "the next request succeeds";

  for (const char* bad : {"/?bytes=0", "/?bytes=abc", "/?bytes=1g", "/?bytes=-4k"}) {
    r = roundtrip(port, get_request(bad));
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad;
  }

  const auto status = server.stop(SIGTERM, 30s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << server.stderr_text();
  for (const auto& home : homes) {
    EXPECT_FALSE(std::filesystem::exists(home)) << home;
    // gpgconf --kill returns before the agent has quite gone: give it a moment.
    for (int i = 0; i < 100 && agents_for(home) > 0; ++i) std::this_thread::sleep_for(20ms);
    EXPECT_EQ(agents_for(home), 0) << home;
  }
}

TEST(GpgServer, CorruptWithoutTheTestFlagIsRefused) {
  ServerProcess server(OFFLOAD_SERVER,
                       {"--port", "0", "--workload", "gpg", "--payload-bytes", "4k"}, {}, 60s);
  const auto r = roundtrip(server.port(), get_request("/?corrupt=1"), 30s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST(GpgServer, HomesOfAKilledServerAreSweptByTheNextOne) {
  std::vector<std::string> homes;
  {
    ServerProcess killed(OFFLOAD_SERVER,
                         {"--port", "0", "--workload", "gpg", "--payload-bytes", "4k"}, {}, 60s);
    homes = homes_of(killed);
    ASSERT_EQ(homes.size(), 1u);
    ASSERT_TRUE(roundtrip(killed.port(), get_request("/"), 30s));  // its agent is running now
    ASSERT_TRUE(killed.stop(SIGKILL));
  }
  ASSERT_TRUE(std::filesystem::exists(homes[0])) << "SIGKILL leaves the home behind";
  ServerProcess next(OFFLOAD_SERVER, {"--port", "0", "--workload", "gpg", "--payload-bytes", "4k"},
                     {}, 60s);
  EXPECT_NE(next.stderr_text().find("removed " + homes[0]), std::string::npos)
      << next.stderr_text();
  EXPECT_FALSE(std::filesystem::exists(homes[0]));
  for (int i = 0; i < 100 && agents_for(homes[0]) > 0; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(agents_for(homes[0]), 0);
}

TEST(GpgServer, BadPayloadSizeIsExitCode2) {
  const auto out = testsupport::run_program(
      OFFLOAD_SERVER, {"--workload", "gpg", "--payload-bytes", "12q"}, {}, 10s);
  EXPECT_TRUE(WIFEXITED(out.status) && WEXITSTATUS(out.status) == 2) << out.output;
  EXPECT_NE(out.output.find("--payload-bytes"), std::string::npos) << out.output;
}

// Voluntary context switches of the gpg-agent serving `home`, over all its threads: each
// decryption wakes it many times, an idle agent hardly ever. -1 when there is no agent.
long agent_wakeups(const std::string& home) {
  for (const auto& p : testsupport::processes()) {
    if (p.state == 'Z' || testsupport::program_of(p.cmdline) != "gpg-agent" ||
        p.cmdline.find(home) == std::string::npos)
      continue;
    long total = 0;
    std::error_code ec;
    const auto tasks = std::filesystem::path("/proc") / std::to_string(p.pid) / "task";
    for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
      std::istringstream status(testsupport::read_proc(task.path() / "status"));
      for (std::string line; std::getline(status, line);)
        if (line.rfind("voluntary_ctxt_switches:", 0) == 0) total += std::stol(line.substr(24));
    }
    return total;
  }
  return -1;
}

// Each worker (pool thread or worker process) decrypts with its own GnuPG home (its own agent)
// when --gpg-home is per-worker: concurrent jobs keep both agents busy, not the first one alone.
class PerWorkerHomes : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(Pools, PerWorkerHomes,
                         ::testing::ValuesIn(offload::strategy_names([](const auto& s) {
                           return !s.runs_on_loop();
                         })),
                         [](const auto& info) { return info.param; });

TEST_P(PerWorkerHomes, EveryWorkerUsesItsOwnAgent) {
  ServerProcess server(OFFLOAD_SERVER,
                       {"--strategy", GetParam(), "--port", "0", "--workers", "2", "--workload",
                        "gpg", "--payload-bytes", "4k", "--gpg-home", "per-worker"},
                       {}, 60s);
  const auto homes = homes_of(server);
  ASSERT_EQ(homes.size(), 2u) << server.stderr_text();
  std::vector<long> before;
  for (const auto& home : homes) before.push_back(agent_wakeups(home));
  ASSERT_GE(before[0], 0);
  ASSERT_GE(before[1], 0);
  // Batches of 8 concurrent jobs until both agents have worked (each decryption wakes its agent
  // tens of times), bounded in time.
  const auto busy = [&](std::size_t i) { return agent_wakeups(homes[i]) - before[i] >= 10; };
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  int correct = 0, sent = 0;
  while (!(busy(0) && busy(1)) && std::chrono::steady_clock::now() < deadline && sent < 200) {
    std::vector<std::thread> clients;
    std::atomic<int> batch_correct{0};
    for (int i = 0; i < 8; ++i)
      clients.emplace_back([&] {
        const auto r = roundtrip(server.port(), get_request("/"), 30s);
        if (r && r->body == expected_answer(4096)) ++batch_correct;
      });
    for (auto& t : clients) t.join();
    correct += batch_correct.load();
    sent += 8;
  }
  EXPECT_EQ(correct, sent);
  EXPECT_TRUE(busy(0)) << "the first home's agent never worked";
  EXPECT_TRUE(busy(1)) << "the second home's agent never worked: one agent serves every job";
}

}  // namespace

namespace {

// gpg processes (not agents) whose command line names `home`.
int gpgs_in(const std::string& home) {
  return testsupport::count_processes("gpg", home);
}

// The strategies that run only workloads waiting on other processes (async): gpg drives them.
std::vector<std::string> async_only() {
  return offload::strategy_names([](const auto& s) { return s.needs_async_workload; });
}

class AsyncGpg : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(OnTheLoop, AsyncGpg, ::testing::ValuesIn(async_only()),
                         [](const auto& info) { return info.param; });

TEST_P(AsyncGpg, FibIsRefusedAtStartWithOneLine) {
  const auto out = testsupport::run_program(
      OFFLOAD_SERVER, {"--strategy", GetParam(), "--port", "0", "--workload", "fib"}, {}, 10s);
  EXPECT_TRUE(WIFEXITED(out.status) && WEXITSTATUS(out.status) == 2) << out.output;
  EXPECT_EQ(out.output, "offload-server: " + GetParam() +
                            " runs only workloads that wait on other processes, not fib\n");
}

// One thread keeps several decryptions in flight: /metrics (answered by that same loop while
// they run) sees more than one running at once, and every answer is right.
TEST_P(AsyncGpg, ManyDecryptionsInFlightOnOneLoop) {
  ServerProcess server(OFFLOAD_SERVER,
                       {"--strategy", GetParam(), "--port", "0", "--workers", "8", "--workload",
                        "gpg", "--payload-bytes", "1m"},
                       {}, 60s);
  const int port = server.port();
  std::atomic<int> correct{0}, finished{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i)
    clients.emplace_back([&] {
      for (int k = 0; k < 3; ++k) {
        const auto reply = roundtrip(port, get_request("/"), 60s);
        if (reply && reply->body == expected_answer(1 << 20)) ++correct;
      }
      ++finished;
    });
  double most_running = 0;
  while (finished.load() < 8) {
    most_running = std::max(most_running, metric(port, "offload_jobs_running"));
    if (most_running >= 2) break;
    std::this_thread::sleep_for(2ms);
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(correct.load(), 24);
  EXPECT_GE(most_running, 2) << "decryptions never overlapped";
  // The loop's own time in GPGME per job is measured and shown.
  EXPECT_GE(metric(port, "offload_job_loop_seconds_count{strategy=\"" + GetParam() + "\"}"), 24);
}

// Past --job-timeout the decryption is cancelled: 504 at once, its gpg ends, the server goes on.
TEST_P(AsyncGpg, ATimedOutDecryptionIsCancelledAndItsGpgEnds) {
  ServerProcess server(OFFLOAD_SERVER,
                       {"--strategy", GetParam(), "--port", "0", "--workers", "2", "--workload",
                        "gpg", "--payload-bytes", "16m", "--job-timeout", "0.02"},
                       {}, 120s);
  const int port = server.port();
  const auto homes = homes_of(server);
  ASSERT_FALSE(homes.empty());
  const auto r = roundtrip(port, get_request("/"), 30s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504) << r->body;
  EXPECT_EQ(settles_at_zero([&] { return gpgs_in(homes.front()); }), 0)
      << "the cancelled gpg is gone";
  EXPECT_EQ(metric(port, "offload_jobs_timed_out_total"), 1);
  const auto hi = roundtrip(port, get_request("/hi"), 10s);
  ASSERT_TRUE(hi);
  EXPECT_EQ(hi->body, "easy!");
}

// SIGTERM with decryptions in flight and a short drain: the server cancels them, exits 0 and
// leaves no gpg, no agent and no home.
TEST_P(AsyncGpg, ShutdownWithDecryptionsInFlightLeavesNothing) {
  ServerProcess server(OFFLOAD_SERVER,
                       {"--strategy", GetParam(), "--port", "0", "--workers", "4", "--workload",
                        "gpg", "--payload-bytes", "16m", "--drain-timeout", "0.05"},
                       {}, 120s);
  const int port = server.port();
  const auto homes = homes_of(server);
  std::vector<std::unique_ptr<testsupport::RawConnection>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<testsupport::RawConnection>(port));
    ASSERT_TRUE(clients.back()->send(get_request("/")));
  }
  for (int i = 0; i < 1000 && metric(port, "offload_jobs_running") < 1; ++i)
    std::this_thread::sleep_for(5ms);
  ASSERT_GE(metric(port, "offload_jobs_running"), 1) << "no decryption started";
  const auto status = server.stop(SIGTERM, 30s);
  ASSERT_TRUE(status) << server.stderr_text();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << server.stderr_text();
  for (const auto& home : homes) {
    EXPECT_FALSE(std::filesystem::exists(home)) << home;
    EXPECT_EQ(settles_at_zero([&] { return agents_for(home); }), 0) << home;
    EXPECT_EQ(settles_at_zero([&] { return gpgs_in(home); }), 0) << home;
  }
}

}  // namespace
