// Hostile clients, overload and faults against the real offload-server: it keeps serving,
// answers what it accepted, and bounds what it holds.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <thread>

#include "raw_http.hpp"
#include "server_process.hpp"

namespace {

using namespace std::chrono_literals;
using testsupport::get_request;
using testsupport::metric;
using testsupport::RawConnection;
using testsupport::roundtrip;
using testsupport::ServerProcess;

std::unique_ptr<ServerProcess> start(const std::string& strategy,
                                     std::vector<std::string> extra = {},
                                     std::map<std::string, std::string> env = {}) {
  std::vector<std::string> args = {"--strategy", strategy, "--port", "0",
                                   "--workers",  "2",      "--fib",  "20"};
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<ServerProcess>(OFFLOAD_SERVER, args, env);
}

long rss_kb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

bool hi_answers(int port) {
  const auto r = roundtrip(port, get_request("/hi"), 10s);
  return r && r->status == 200 && r->body == "easy!";
}

class Hostile : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(AllStrategies, Hostile, ::testing::Values("inline", "thread", "process"),
                         [](const auto& info) { return info.param; });

TEST_P(Hostile, BadHeadsGetTheirStatusAndTheServerGoesOn) {
  auto server = start(GetParam());
  const int port = server->port();
  const std::vector<std::pair<std::string, int>> cases = {
      {"GET / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n", 400},
      {std::string("GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n", 36), 400},
      {"GET / HTTP/1.1\r\nHost: x\r\n" + std::string(200, 'X') + ": " + std::string(9000, 'y') +
           "\r\n\r\n",
       431},
      {"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc",
       400},
      {"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n folded\r\n\r\n", 400},
      // A TLS ClientHello's first bytes: not a request line, refused without waiting for more.
      {std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11), 400},
  };
  for (const auto& [request, status] : cases) {
    const auto r = roundtrip(port, request);
    ASSERT_TRUE(r) << request.substr(0, 40);
    EXPECT_EQ(r->status, status) << request.substr(0, 40);
    EXPECT_EQ(r->header("connection"), "close");
  }
  EXPECT_TRUE(hi_answers(port));
}

TEST_P(Hostile, OneMegabyteTargetIs431WithoutBufferingIt) {
  auto server = start(GetParam());
  const long before = rss_kb(server->pid());
  RawConnection c(server->port());
  // The server answers after 8 KiB and stops reading soon after: the send may fail part way.
  c.send("GET /" + std::string(1 << 20, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto r = c.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_LT(rss_kb(server->pid()) - before, 4096) << "the target must not be buffered";
  EXPECT_TRUE(hi_answers(server->port()));
}

TEST_P(Hostile, SlowlorisIsCutByTheHeaderTimeout) {
  auto server = start(GetParam(), {"--header-timeout", "1"});
  RawConnection c(server->port());
  const std::string head = "GET /hi HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(100, 'z');
  const auto t0 = std::chrono::steady_clock::now();
  bool closed = false;
  std::string got;
  // One byte every 50 ms, for at most 5 s (the head would take far longer to finish).
  for (std::size_t i = 0; i < head.size() && std::chrono::steady_clock::now() - t0 < 5s; ++i) {
    if (!c.send(head.substr(i, 1))) {
      closed = true;
      break;
    }
    std::this_thread::sleep_for(50ms);
    pollfd p{c.fd(), POLLIN, 0};
    if (poll(&p, 1, 0) > 0) {
      closed = c.read_until_closed(got, 3s);
      break;
    }
  }
  EXPECT_TRUE(closed) << "the connection was held open";
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 4s);
  if (!got.empty()) {
    EXPECT_NE(got.find(" 408 "), std::string::npos) << got;
  }
  EXPECT_TRUE(hi_answers(server->port()));
}

TEST_P(Hostile, ClientsVanishingMidRequestAndMidJob) {
  auto server = start(GetParam());
  const int port = server->port();
  for (int i = 0; i < 10; ++i) {
    RawConnection partial(port);
    partial.send("GET /?n=3 HTTP/1.1\r\nHo");  // and gone
  }
  for (int i = 0; i < 10; ++i) {
    RawConnection waiting(port);
    waiting.send(get_request("/?n=32"));  // a job of a few ms; the client leaves while it runs
  }
  {
    // Reset rather than close: SO_LINGER 0 sends RST at once.
    RawConnection reset(port);
    reset.send(get_request("/?n=33") + get_request("/?n=33"));
    linger l{1, 0};
    setsockopt(reset.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }
  EXPECT_TRUE(hi_answers(port));
  const auto r = roundtrip(port, get_request("/?n=25"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "answer is >>> 75025\n");
  const auto status = server->stop(SIGTERM);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << server->stderr_text();
}

TEST_P(Hostile, QueryValuesOutOfRange) {
  auto server = start(GetParam());
  for (const char* target :
       {"/?n=46", "/?n=-1", "/?n=abc", "/?n=1e9", "/?n=99999999999999999999999"}) {
    const auto r = roundtrip(server->port(), get_request(target));
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 400) << target;
  }
}

TEST_P(Hostile, PipelineFloodWithoutReadingIsBounded) {
  auto server = start(GetParam());
  const long before = rss_kb(server->pid());
  RawConnection c(server->port());
  std::string burst;
  for (int i = 0; i < 2000; ++i) burst += get_request("/hi");
  // Send ~100 KB of requests without reading a single answer, for at most 2 s.
  const auto t0 = std::chrono::steady_clock::now();
  int sent = 0;
  while (sent < 20 && std::chrono::steady_clock::now() - t0 < 2s) {
    pollfd p{c.fd(), POLLOUT, 0};
    if (poll(&p, 1, 100) <= 0) break;  // the server stopped reading: backpressure
    if (!c.send(burst)) break;
    ++sent;
  }
  EXPECT_LT(rss_kb(server->pid()) - before, 32 * 1024) << "unread answers must not pile up";
  EXPECT_TRUE(hi_answers(server->port()));
}

// Overload: far more heavy requests than workers + queue. The excess gets 503 + Retry-After at
// once, /hi keeps answering, memory stays bounded, and the pool drains afterwards.
class Overload : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(Pools, Overload, ::testing::Values("thread", "process"),
                         [](const auto& info) { return info.param; });

TEST_P(Overload, ExcessIsRefusedAndHiStillAnswers) {
  auto server = start(GetParam(), {"--max-queue", "8"});
  const int port = server->port();
  const long rss_before = rss_kb(server->pid());
  std::mutex mutex;
  std::map<int, int> statuses;
  int retry_after = 0, unanswered = 0;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int i = 0; i < 200; ++i) {
    clients.emplace_back([&, port] {
      // Closed loop on one connection, bounded in time (1.5 s) and count (50).
      try {
        RawConnection c(port);
        for (int k = 0; k < 50 && !stop.load(); ++k) {
          if (!c.send(get_request("/?n=35"))) break;
          const auto r = c.read_reply(20s);
          std::lock_guard<std::mutex> lock(mutex);
          if (!r) {
            ++unanswered;
            break;
          }
          ++statuses[r->status];
          if (r->status == 503 && r->has("retry-after")) ++retry_after;
          if (r->header("connection") == "close") break;
        }
      } catch (const std::exception&) {
        std::lock_guard<std::mutex> lock(mutex);
        ++unanswered;
      }
    });
  }
  std::this_thread::sleep_for(300ms);
  int hi_ok = 0;
  for (int i = 0; i < 5; ++i) hi_ok += hi_answers(port) ? 1 : 0;
  const double queued = metric(port, "offload_jobs_queued");
  const long rss_during = rss_kb(server->pid());
  std::this_thread::sleep_for(1200ms);
  stop = true;
  for (auto& t : clients) t.join();

  EXPECT_EQ(hi_ok, 5) << "/hi must keep answering under overload";
  EXPECT_LE(queued, 8) << "the queue is bounded by --max-queue";
  EXPECT_EQ(unanswered, 0);
  EXPECT_GT(statuses[200], 0);
  EXPECT_GT(statuses[503], 0);
  EXPECT_EQ(retry_after, statuses[503]) << "every 503 carries Retry-After";
  EXPECT_EQ(statuses[200] + statuses[503], [&] {
    int n = 0;
    for (auto& [s, c] : statuses) n += c;
    return n;
  }()) << "only 200 and 503 are expected";
  EXPECT_LT(rss_during - rss_before, 64 * 1024) << "memory must stay bounded";
  // Back to normal once the load stops.
  for (int i = 0; i < 300 && (metric(port, "offload_jobs_queued") != 0 ||
                              metric(port, "offload_jobs_running") != 0);
       ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(metric(port, "offload_jobs_queued"), 0);
  const auto r = roundtrip(port, get_request("/"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_GT(metric(port, "offload_jobs_rejected_total"), 0);
}

TEST(Connections, TenThousandIdleKeepAliveConnectionsAreHeld) {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_cur < 10'200)
    GTEST_SKIP() << "open-file hard limit " << lim.rlim_cur << " is below 10,200";
  auto server = start("thread");
  const int port = server->port();
  const long before = rss_kb(server->pid());
  std::vector<std::unique_ptr<RawConnection>> idle;
  idle.reserve(10'000);
  for (int i = 0; i < 10'000; ++i) idle.push_back(std::make_unique<RawConnection>(port));
  // Each one has completed a request: keep-alive connections the server knows, not just a backlog.
  for (auto& c : idle) ASSERT_TRUE(c->send(get_request("/hi")));
  int answered = 0;
  for (auto& c : idle) answered += c->read_reply(20s) ? 1 : 0;
  EXPECT_EQ(answered, 10'000);
  EXPECT_GE(metric(port, "offload_connections_open"), 10'000);
  const long after = rss_kb(server->pid());
  std::printf("RSS for 10,000 idle connections: %ld KiB (%.0f bytes each)\n", after - before,
              (after - before) * 1024.0 / 10'000);
  EXPECT_TRUE(hi_answers(port));
  EXPECT_EQ(idle.front()->send(get_request("/hi")), true);
  EXPECT_TRUE(idle.front()->read_reply());
}

TEST(Faults, KillingEachWorkerUnderLoadFailsOnlyItsJobs) {
  auto server = start("process");
  const int port = server->port();
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, bad_gateway{0}, other{0}, unanswered{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i) {
    clients.emplace_back([&, port] {
      RawConnection c(port);
      for (int k = 0; k < 5000 && !stop.load(); ++k) {
        if (!c.send(get_request("/?n=30"))) break;
        const auto r = c.read_reply(10s);
        if (!r) {
          ++unanswered;
          break;
        }
        if (r->status == 200) {
          ++ok;
        } else if (r->status == 502) {
          ++bad_gateway;
        } else {
          ++other;
        }
      }
    });
  }
  int kills = 0;
  for (int round = 0; round < 4; ++round) {
    std::this_thread::sleep_for(200ms);
    const auto children = testsupport::child_pids(server->pid());
    if (children.empty()) continue;
    kill(children[static_cast<std::size_t>(round) % children.size()], SIGKILL);
    ++kills;
  }
  std::this_thread::sleep_for(300ms);
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(unanswered.load(), 0) << "no request may hang";
  EXPECT_EQ(other.load(), 0);
  EXPECT_LE(bad_gateway.load(), kills) << "only the job on a killed worker fails";
  EXPECT_GT(ok.load(), 10) << "the pool keeps serving between kills";
  for (int i = 0; i < 200 && metric(port, "offload_workers_alive") != 2; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(metric(port, "offload_workers_alive"), 2);
  EXPECT_EQ(metric(port, "offload_workers_restarted_total"), kills);
}

TEST(Faults, WorkersDyingAtStartAreBackedOffNotForkLooped) {
  auto server =
      start("process", {"--job-timeout", "0.5"}, {{"OFFLOAD_TEST_WORKER_EXIT_AT_START", "1"}});
  const int port = server->port();
  std::this_thread::sleep_for(1500ms);
  EXPECT_TRUE(hi_answers(port));
  EXPECT_GE(metric(port, "offload_workers_young_deaths"), 3);
  EXPECT_GT(metric(port, "offload_workers_backoff_seconds"), 0);
  const auto r = roundtrip(port, get_request("/"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504) << "no worker: the job times out instead of hanging";
  const std::string log = server->stderr_text();
  const auto starts = std::count(log.begin(), log.end(), '\n');
  EXPECT_LT(starts, 40) << "far fewer starts than a fork loop would make:\n" << log;
  EXPECT_NE(log.find("dying young"), std::string::npos) << log;
}

class JobTimeout : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(Pools, JobTimeout, ::testing::Values("thread", "process"),
                         [](const auto& info) { return info.param; });

TEST_P(JobTimeout, SlowJobGets504AndTheServerGoesOn) {
  auto server = start(GetParam(), {"--job-timeout", "0.5", "--max-n", "60"});
  const int port = server->port();
  // fib(43) runs well past 0.5 s even on a fast machine, yet ends within seconds (a thread
  // cannot be stopped; the process strategy kills its worker, so any size will do).
  const auto r = roundtrip(port, get_request(GetParam() == "process" ? "/?n=55" : "/?n=43"), 20s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 504);
  EXPECT_NE(r->body.find("job timeout"), std::string::npos) << r->body;
  EXPECT_TRUE(hi_answers(port));
  const auto ok = roundtrip(port, get_request("/?n=20"), 20s);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(metric(port, "offload_jobs_timed_out_total"), 1);
  if (GetParam() == "process") {
    for (int i = 0; i < 200 && metric(port, "offload_workers_alive") != 2; ++i)
      std::this_thread::sleep_for(10ms);
    EXPECT_EQ(metric(port, "offload_workers_alive"), 2);
  }
}

class Drain : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(AllStrategies, Drain, ::testing::Values("inline", "thread", "process"),
                         [](const auto& info) { return info.param; });

TEST_P(Drain, SigtermUnderLoadAnswersEveryAcceptedRequest) {
  auto server = start(GetParam(), {"--drain-timeout", "0.3"});
  const int port = server->port();
  // 16 requests of ~10-50 ms each on their own connections: more work than 0.3 s.
  std::vector<std::unique_ptr<RawConnection>> clients;
  for (int i = 0; i < 16; ++i) {
    clients.push_back(std::make_unique<RawConnection>(port));
    ASSERT_TRUE(clients.back()->send(get_request("/?n=35")));
  }
  // Everything is sent; make sure the server has read it before the signal.
  for (int i = 0; i < 200 && metric(port, "offload_connections_open") < 17; ++i)
    std::this_thread::sleep_for(5ms);
  kill(server->pid(), SIGTERM);
  int ok = 0, unavailable = 0;
  for (auto& c : clients) {
    const auto r = c->read_reply(20s);
    ASSERT_TRUE(r) << "an accepted request was dropped without an answer";
    if (r->status == 200) {
      ++ok;
      EXPECT_EQ(r->body, "answer is >>> 9227465\n");
    } else {
      EXPECT_EQ(r->status, 503);
      EXPECT_EQ(r->header("connection"), "close");
      ++unavailable;
    }
  }
  EXPECT_EQ(ok + unavailable, 16);
  const auto status = server->stop(SIGTERM, 30s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "wait status " << *status << "\n"
                                                               << server->stderr_text();
}

}  // namespace
