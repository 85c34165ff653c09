// offload-server end to end, for each strategy: the real binary on an ephemeral loopback port,
// spoken to byte for byte.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cmath>
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
using testsupport::RawConnection;
using testsupport::Reply;
using testsupport::roundtrip;
using testsupport::ServerProcess;

std::unique_ptr<ServerProcess> start(const std::string& strategy,
                                     std::vector<std::string> extra = {},
                                     std::map<std::string, std::string> env = {{"FIB", "20"}}) {
  std::vector<std::string> args = {"--strategy", strategy, "--port", "0", "--workers", "2"};
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<ServerProcess>(OFFLOAD_SERVER, args, env);
}

// User + system CPU time of a process, in clock ticks.
long cpu_ticks(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  std::istringstream fields(line.substr(line.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return utime + stime;
}

class Strategy : public ::testing::TestWithParam<std::string> {
 protected:
  const offload::Strategy& strategy() const { return *offload::find_strategy(GetParam()); }
};

// fib for every strategy that runs it (async runs gpg only: gpg_server_test.cpp).
INSTANTIATE_TEST_SUITE_P(AllStrategies, Strategy,
                         ::testing::ValuesIn(offload::strategy_names([](const auto& s) {
                           return s.runs_any_workload();
                         })),
                         [](const auto& info) { return info.param; });

TEST_P(Strategy, ReadyLineNamesTheConfiguration) {
  auto server = start(GetParam());
  EXPECT_TRUE(std::regex_search(server->ready_line(),
                                std::regex("^listening on 127\\.0\\.0\\.1:[0-9]+ strategy=" +
                                           GetParam() + " workers=[0-9]+ fib=20$")))
      << server->ready_line();
}

TEST_P(Strategy, RootAndHiAreByteExact) {
  auto server = start(GetParam());
  auto root = roundtrip(server->port(), get_request("/"));
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 200);
  EXPECT_EQ(root->body, "answer is >>> 6765\n");
  EXPECT_EQ(root->headers["content-length"], "19");
  EXPECT_EQ(root->headers["content-type"], "text/plain");
  auto hi = roundtrip(server->port(), get_request("/hi"));
  ASSERT_TRUE(hi);
  EXPECT_EQ(hi->status, 200);
  EXPECT_EQ(hi->body, "easy!");
  EXPECT_EQ(hi->headers["content-length"], "5");
}

TEST_P(Strategy, FibQueryValidAndInvalid) {
  auto server = start(GetParam());
  auto r = roundtrip(server->port(), get_request("/?n=25"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "answer is >>> 75025\n");
  for (const char* bad : {"/?n=0", "/?n=46", "/?n=-3", "/?n=abc", "/?n="}) {
    r = roundtrip(server->port(), get_request(bad));
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_EQ(r->body, "n must be an integer from 1 to 45\n") << bad;
  }
}

TEST_P(Strategy, ErrorStatuses) {
  auto server = start(GetParam());
  const int port = server->port();
  auto r = roundtrip(port, get_request("/nope"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = roundtrip(port, "POST /hi HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->headers["allow"], "GET, HEAD");
  r = roundtrip(port, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  r = roundtrip(port, "GET /hi HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  r = roundtrip(port, "GET / HTTP/2.0\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 505);
}

TEST_P(Strategy, MalformedRequestGets400AndTheConnectionCloses) {
  auto server = start(GetParam());
  RawConnection c(server->port());
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n" +
                     get_request("/hi")));
  auto r = c.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->headers["connection"], "close");
  std::string rest;
  EXPECT_TRUE(c.read_until_closed(rest, 5s));
  EXPECT_EQ(rest, "") << "nothing after a framing error may be answered";
}

TEST_P(Strategy, HeadHasLengthButNoBody) {
  auto server = start(GetParam());
  RawConnection c(server->port());
  ASSERT_TRUE(c.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" + get_request("/hi")));
  auto head = c.read_reply(10s, true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->headers["content-length"], "19");
  auto next = c.read_reply();  // would be garbled if HEAD had sent a body
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "easy!");
}

TEST_P(Strategy, Http10ClosesUnlessKeepAliveAsked) {
  auto server = start(GetParam());
  {
    RawConnection c(server->port());
    ASSERT_TRUE(c.send("GET /hi HTTP/1.0\r\n\r\n"));
    std::string all;
    ASSERT_TRUE(c.read_until_closed(all, 5s));
    auto replies = testsupport::parse_replies(all);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].body, "easy!");
  }
  RawConnection c(server->port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r = c.read_reply();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "answer is >>> 6765\n");
    EXPECT_EQ(r->headers["connection"], "keep-alive");
  }
}

TEST_P(Strategy, ConnectionCloseIsHonoured) {
  auto server = start(GetParam());
  RawConnection c(server->port());
  ASSERT_TRUE(c.send("GET /hi HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::string all;
  ASSERT_TRUE(c.read_until_closed(all, 5s));
  auto replies = testsupport::parse_replies(all);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].headers["connection"], "close");
}

TEST_P(Strategy, PipelinedRequestsAreAnsweredInOrder) {
  auto server = start(GetParam());
  RawConnection c(server->port());
  std::string batch;
  std::vector<std::string> expected;
  for (int i = 1; i <= 12; ++i) {
    if (i % 3 == 0) {
      batch += get_request("/hi");
      expected.push_back("easy!");
    } else {
      batch += get_request("/?n=" + std::to_string(i + 10));
      expected.push_back(std::string("answer is >>> ") + std::to_string([](int n) {
                           std::uint64_t a = 1, b = 1;
                           for (int k = 3; k <= n; ++k) {
                             b = a + b;
                             a = b - a;
                           }
                           return b;
                         }(i + 10)) +
                         "\n");
    }
  }
  ASSERT_TRUE(c.send(batch));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    auto r = c.read_reply();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, expected[i]) << i;
  }
}

TEST_P(Strategy, HalfClosedClientGetsEveryAnswer) {
  auto server = start(GetParam());
  RawConnection c(server->port());
  ASSERT_TRUE(c.send(get_request("/") + get_request("/hi")));
  c.shutdown_write();
  std::string all;
  ASSERT_TRUE(c.read_until_closed(all, 10s));
  auto replies = testsupport::parse_replies(all);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].body, "answer is >>> 6765\n");
  EXPECT_EQ(replies[1].body, "easy!");
}

TEST_P(Strategy, FiftyConcurrentRootRequestsAllCorrect) {
  auto server = start(GetParam());
  std::atomic<int> correct{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 50; ++i) {
    clients.emplace_back([&, port = server->port()] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(30, 0);
      auto res = client.Get("/");
      if (res && res->status == 200 && res->body == "answer is >>> 6765\n") ++correct;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(correct.load(), 50);
}

TEST_P(Strategy, IdleConnectionIsClosedAfterTheTimeout) {
  auto server = start(GetParam(), {"--idle-timeout", "0.5"});
  RawConnection c(server->port());
  ASSERT_TRUE(c.send(get_request("/hi")));
  ASSERT_TRUE(c.read_reply());
  std::string rest;
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.read_until_closed(rest, 5s));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 400ms);
}

TEST_P(Strategy, SigtermExitsZeroAndLeavesNoChild) {
  auto server = start(GetParam());
  ASSERT_TRUE(roundtrip(server->port(), get_request("/")));
  const auto children = testsupport::child_pids(server->pid());
  if (!strategy().workload_in_server) {
    // remote (knob "nats") also runs its private broker.
    EXPECT_EQ(children.size(), strategy().has_knob("nats") ? 3u : 2u)
        << "one worker process per --workers";
  }
  const auto status = server->stop(SIGTERM);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << server->stderr_text();
  for (pid_t child : children) EXPECT_FALSE(testsupport::process_alive(child)) << child;
  EXPECT_EQ(server->stderr_text().find("handle left open"), std::string::npos)
      << server->stderr_text();
}

TEST_P(Strategy, SigtermLetsTheRequestInFlightFinish) {
  auto server = start(GetParam());
  RawConnection c(server->port());
  ASSERT_TRUE(c.send(get_request("/?n=36")));  // tens of milliseconds
  if (strategy().runs_on_loop()) {
    // The loop itself runs the job and cannot answer /metrics meanwhile: it is running once
    // the server burns CPU (three clock ticks; the job takes many more).
    const long before = cpu_ticks(server->pid());
    for (int i = 0; i < 1000 && cpu_ticks(server->pid()) < before + 3; ++i)
      std::this_thread::sleep_for(2ms);
  } else {
    for (int i = 0; i < 500 && metric(server->port(), "offload_jobs_running") < 1; ++i)
      std::this_thread::sleep_for(2ms);
  }
  kill(server->pid(), SIGTERM);
  auto r = c.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "answer is >>> 14930352\n");
  const auto status = server->stop(SIGTERM);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

TEST_P(Strategy, ClientGoneDuringItsJobDoesNotHurtTheServer) {
  auto server = start(GetParam());
  {
    RawConnection c(server->port());
    ASSERT_TRUE(c.send(get_request("/?n=34")));
  }  // closed while the job runs
  auto r = roundtrip(server->port(), get_request("/hi"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "easy!");
  r = roundtrip(server->port(), get_request("/"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "answer is >>> 6765\n");
}

TEST_P(Strategy, MetricsCountRequests) {
  auto server = start(GetParam());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(roundtrip(server->port(), get_request("/hi")));
  const auto r = roundtrip(server->port(), get_request("/metrics"));
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("offload_requests_total{endpoint=\"/hi\",status=\"200\"} 3"),
            std::string::npos)
      << r->body;
  EXPECT_NE(r->body.find("offload_loop_lag_seconds_bucket"), std::string::npos);
  EXPECT_NE(r->body.find("strategy=\"" + GetParam() + "\""), std::string::npos);
}

// The per-job breakdown: every answered job is counted once in each part, labelled with the
// strategy, and on a quiet server the parts add up to the job's time on the server. The
// relations are loose (a busy machine stretches any part) but a part missing, or one in the
// wrong unit, crosses them by far.
TEST_P(Strategy, JobTimeBreakdownCountsEveryJobAndAddsUp) {
  auto server = start(GetParam());
  const int port = server->port();
  constexpr int kJobs = 8;
  RawConnection c(port);
  for (int i = 0; i < kJobs; ++i) {
    ASSERT_TRUE(c.send(get_request("/?n=32")));  // milliseconds: the service dominates
    const auto r = c.read_reply(30s);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
  }
  const auto m = roundtrip(port, get_request("/metrics"));
  ASSERT_TRUE(m);
  const std::string label = "{strategy=\"" + GetParam() + "\"}";
  const auto part = [&](const std::string& name, const std::string& what) {
    return testsupport::sample(m->body, "offload_job_" + name + "_seconds_" + what + label);
  };
  EXPECT_EQ(testsupport::sample(m->body, "offload_job_seconds_count"), kJobs);
  for (const char* name : {"queue_wait", "service", "handback"}) {
    EXPECT_EQ(part(name, "count"), kJobs) << name << "\n" << m->body;
    EXPECT_GT(part(name, "sum"), 0) << name;
  }
  const double job = testsupport::sample(m->body, "offload_job_seconds_sum");
  const double service = part("service", "sum");
  const double parts = part("queue_wait", "sum") + service + part("handback", "sum");
  ASSERT_GT(job, 0);
  // The service happens inside the job's time on the server, and is most of it here.
  EXPECT_LE(service, job * 1.01 + 1e-4);
  EXPECT_GE(service, job * 0.1);
  // accepted -> handed to the connection spans the job's time (submit -> result on the loop)
  // and a little more: the answer's hand-off to the connection.
  EXPECT_GE(parts, job * 0.9);
  EXPECT_LE(parts, job * 3 + kJobs * 0.005);
}

// /metrics as a Prometheus scraper reads it: every family has HELP and TYPE before its
// samples, and every histogram's buckets are cumulative, bounded by +Inf = _count.
TEST_P(Strategy, MetricsExpositionIsWellFormed) {
  auto server = start(GetParam());
  const int port = server->port();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(roundtrip(port, get_request("/?n=25")));
  const auto m = roundtrip(port, get_request("/metrics"));
  ASSERT_TRUE(m);
  std::map<std::string, std::string> type_of;
  std::set<std::string> help_of;
  struct Series {
    double last_le = -1;
    double last_count = -1;
    double inf = -1;
  };
  std::map<std::string, Series> buckets;  // by family + labels other than le
  std::map<std::string, double> counts;
  std::istringstream in(m->body);
  const std::regex help("^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$");
  const std::regex type("^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$");
  const std::regex sample_line("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)$");
  const std::regex le("(,?)le=\"([^\"]+)\"");
  int samples = 0;
  for (std::string line; std::getline(in, line);) {
    std::smatch match;
    if (std::regex_match(line, match, help)) {
      EXPECT_FALSE(type_of.count(match[1])) << "HELP after TYPE: " << line;
      help_of.insert(match[1]);
      continue;
    }
    if (std::regex_match(line, match, type)) {
      EXPECT_TRUE(help_of.count(match[1])) << "TYPE without HELP: " << line;
      EXPECT_FALSE(type_of.count(match[1])) << "family declared twice: " << line;
      type_of[match[1]] = match[2];
      continue;
    }
    ASSERT_TRUE(std::regex_match(line, match, sample_line)) << "not a sample: " << line;
    ++samples;
    std::string name = match[1];
    const std::string labels = match[2];
    const double value = std::stod(match[3]);
    EXPECT_GE(value, 0) << line;
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string sfx = suffix;
      if (name.size() > sfx.size() &&
          name.compare(name.size() - sfx.size(), sfx.size(), sfx) == 0 &&
          type_of.count(name.substr(0, name.size() - sfx.size())) &&
          type_of[name.substr(0, name.size() - sfx.size())] == "histogram")
        family = name.substr(0, name.size() - sfx.size());
    }
    ASSERT_TRUE(type_of.count(family)) << "sample before its TYPE: " << line;
    if (family == name) continue;
    std::smatch le_match;
    std::string other_labels = std::regex_replace(labels, le, "");
    if (other_labels == "{}") other_labels.clear();
    const std::string key = family + other_labels;
    if (name == family + "_bucket") {
      ASSERT_TRUE(std::regex_search(labels, le_match, le)) << line;
      Series& s = buckets[key];
      const std::string bound = le_match[2];
      const double le_value = bound == "+Inf" ? INFINITY : std::stod(bound);
      EXPECT_GT(le_value, s.last_le) << "bucket bounds must increase: " << line;
      EXPECT_GE(value, s.last_count) << "buckets must be cumulative: " << line;
      s.last_le = le_value;
      s.last_count = value;
      if (bound == "+Inf") s.inf = value;
    } else if (name == family + "_count") {
      counts[key] = value;
    }
  }
  EXPECT_GT(samples, 20);
  for (const char* family :
       {"offload_job_seconds", "offload_job_queue_wait_seconds", "offload_job_service_seconds",
        "offload_job_handback_seconds", "offload_loop_lag_seconds"})
    EXPECT_EQ(type_of[family], "histogram") << family;
  ASSERT_FALSE(buckets.empty());
  for (const auto& [key, s] : buckets) {
    ASSERT_TRUE(counts.count(key)) << key << ": no _count";
    EXPECT_EQ(s.inf, counts[key]) << key << ": the +Inf bucket must equal _count";
  }
  EXPECT_EQ(counts["offload_job_service_seconds{strategy=\"" + GetParam() + "\"}"], 3);
}

TEST_P(Strategy, HttperfSeesNoErrors) {
  if (access("/usr/bin/httperf", X_OK) != 0)
    GTEST_SKIP() << "httperf not installed (make deps installs it)";
  auto server = start(GetParam());
  const auto out = testsupport::run_program(
      "/usr/bin/httperf",
      {"--server", "127.0.0.1", "--port", std::to_string(server->port()), "--uri", "/",
       "--num-conns", "20", "--num-calls", "5", "--timeout", "10"},
      {}, 60s);
  ASSERT_TRUE(WIFEXITED(out.status) && WEXITSTATUS(out.status) == 0) << out.output;
  EXPECT_NE(out.output.find("Errors: total 0 "), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("Reply status: 1xx=0 2xx=100 "), std::string::npos) << out.output;
}

// Strategies whose workers are processes of their own.
class WorkerProcesses : public ::testing::TestWithParam<std::string> {};
// (remote, knob "nats", retries a dead worker's job instead: remote_test.cpp)
INSTANTIATE_TEST_SUITE_P(OutOfProcess, WorkerProcesses,
                         ::testing::ValuesIn(offload::strategy_names([](const auto& s) {
                           return !s.workload_in_server && !s.has_knob("nats");
                         })),
                         [](const auto& info) { return info.param; });

TEST_P(WorkerProcesses, KilledWorkerFailsOnlyItsRequestAndIsReplaced) {
  auto server = start(GetParam(), {"--max-n", "60"});
  const int port = server->port();
  ASSERT_EQ(metric(port, "offload_workers_alive"), 2);
  RawConnection c(port);
  ASSERT_TRUE(c.send(get_request("/?n=50")));  // far longer than this test: only the kill ends it
  // Wait until a worker is running it, then kill that worker.
  pid_t victim = -1;
  for (int i = 0; i < 500 && victim < 0; ++i) {
    const auto m = roundtrip(port, get_request("/metrics"));
    const auto busy = m ? testsupport::busy_workers(m->body) : std::map<int, int>{};
    if (!busy.empty()) {
      victim = busy.begin()->first;
    } else {
      std::this_thread::sleep_for(10ms);
    }
  }
  ASSERT_GT(victim, 0) << "no worker was seen running the job";
  kill(victim, SIGKILL);
  auto r = c.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  EXPECT_NE(r->body.find("died"), std::string::npos) << r->body;
  r = roundtrip(port, get_request("/"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "answer is >>> 6765\n");
  for (int i = 0; i < 200 && metric(port, "offload_workers_alive") != 2; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(metric(port, "offload_workers_alive"), 2);
  EXPECT_EQ(metric(port, "offload_workers_restarted_total"), 1);
  EXPECT_FALSE(testsupport::process_alive(victim));
  EXPECT_EQ(testsupport::child_pids(server->pid()).size(), 2u);
}

TEST(Startup, PortInUseIsAClearErrorAndNonZeroExit) {
  auto first = start("inline");
  const auto out =
      testsupport::run_program(OFFLOAD_SERVER, {"--port", std::to_string(first->port())}, {}, 20s);
  EXPECT_TRUE(WIFEXITED(out.status) && WEXITSTATUS(out.status) != 0) << out.output;
  EXPECT_NE(out.output.find("address already in use"), std::string::npos) << out.output;
}

TEST(Startup, BadFlagIsOneLineAndExitCode2) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"--fib", "x"}, std::vector<std::string>{"--strategy", "fork"},
        std::vector<std::string>{"--nope"}}) {
    const auto out = testsupport::run_program(OFFLOAD_SERVER, args, {}, 10s);
    EXPECT_TRUE(WIFEXITED(out.status) && WEXITSTATUS(out.status) == 2) << out.output;
    EXPECT_EQ(std::count(out.output.begin(), out.output.end(), '\n'), 1) << out.output;
  }
  const auto help = testsupport::run_program(OFFLOAD_SERVER, {"--help"}, {}, 10s);
  EXPECT_TRUE(WIFEXITED(help.status) && WEXITSTATUS(help.status) == 0);
  EXPECT_NE(help.output.find("--strategy"), std::string::npos);
}

// --list-strategies prints the registry and starts nothing; with --json one line that a
// JSON parser (Python's, as the benchmark scripts use) reads, in the registry's order.
TEST(Startup, ListStrategiesPrintsTheRegistry) {
  const auto text = testsupport::run_program(OFFLOAD_SERVER, {"--list-strategies"}, {}, 10s);
  EXPECT_TRUE(WIFEXITED(text.status) && WEXITSTATUS(text.status) == 0) << text.output;
  for (const auto& s : offload::strategies())
    EXPECT_NE(text.output.find(s.name + " "), std::string::npos) << text.output;
  const auto json =
      testsupport::run_program(OFFLOAD_SERVER, {"--list-strategies", "--json"}, {}, 10s);
  ASSERT_TRUE(WIFEXITED(json.status) && WEXITSTATUS(json.status) == 0) << json.output;
  EXPECT_EQ(json.output, offload::strategies_json() + "\n");
  if (access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/python3 to parse it";
  const auto parsed = testsupport::run_program(
      "/usr/bin/python3",
      {"-c",
       "import json, sys\n"
       "d = json.loads(sys.argv[1])\n"
       "assert list(d) == ['strategies']\n"
       "for s in d['strategies']:\n"
       "    assert list(s) == ['name', 'description', 'workload_in_server',\n"
       "                       'needs_async_workload', 'knobs'], s\n"
       "    assert isinstance(s['workload_in_server'], bool)\n"
       "    assert isinstance(s['needs_async_workload'], bool)\n"
       "    assert all(isinstance(k, str) for k in s['knobs'])\n"
       "print(' '.join(s['name'] for s in d['strategies']))\n",
       json.output},
      {}, 10s);
  ASSERT_TRUE(WIFEXITED(parsed.status) && WEXITSTATUS(parsed.status) == 0) << parsed.output;
  std::string names;
  for (const auto& name : offload::strategy_names()) names += (names.empty() ? "" : " ") + name;
  EXPECT_EQ(parsed.output, names + "\n");
}

TEST(Startup, EnvironmentConfiguresTheServer) {
  ServerProcess server(OFFLOAD_SERVER, {"--port", "0"},
                       {{"FIB", "21"}, {"STRATEGY", "process"}, {"WORKERS", "3"}});
  EXPECT_NE(server.ready_line().find("strategy=process workers=3 fib=21"), std::string::npos)
      << server.ready_line();
  auto r = roundtrip(server.port(), get_request("/"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "answer is >>> 10946\n");
}

}  // namespace
