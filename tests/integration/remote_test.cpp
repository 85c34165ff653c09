// The remote strategy end to end: the real offload-server with --strategy remote, a real
// nats-server and real offload-worker processes, on loopback. Each failure the strategy
// promises to survive is caused here and its answer checked: no worker (503 at once), a
// worker dying mid-job (retried, or 502), a job past its timeout (504, the late reply
// dropped), the broker going away and coming back (503 meanwhile, then reconnected), a full
// queue (503), a draining worker (its job finished).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>

#include "embedded_broker.hpp"
#include "nats_client.hpp"
#include "poll.hpp"
#include "proc_files.hpp"
#include "raw_http.hpp"
#include "remote_protocol.hpp"
#include "remote_support.hpp"
#include "server_process.hpp"

namespace {

using namespace std::chrono_literals;
using remotetest::Clock;
using remotetest::wait_for_metric;
using remotetest::Worker;
using testsupport::get_request;
using testsupport::roundtrip;
using testsupport::ServerProcess;

// fib(45), the largest a client may ask for by default: about 2 s here in the release build
// (4 s under ASan), long enough to kill its worker mid-job after the server has seen the worker
// take it, and far past the 0.3 s job timeout a test sets, on a machine several times faster
// (fib(41), used before, took 0.32 s here: a race with that timeout), yet short enough to run
// again elsewhere.
const std::string kLongJob = "/?n=45";
const std::string kLongAnswer = "answer is >>> 1134903170\n";

class RemoteStrategy : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(broker_.start({}), "") << "needs nats-server (Debian: apt-get install nats-server)";
  }

  std::unique_ptr<Worker> worker(const std::string& id, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--nats", broker_.url(), "--id", id};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<Worker>(
        OFFLOAD_WORKER, args, std::map<std::string, std::string>{{"NATS_TOKEN", broker_.token()}});
  }

  std::unique_ptr<ServerProcess> server(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--strategy", "remote", "--port", "0",
                                     "--fib",      "20",     "--nats", broker_.url()};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<ServerProcess>(
        OFFLOAD_SERVER, args, std::map<std::string, std::string>{{"NATS_TOKEN", broker_.token()}});
  }

  // Waits until the server counts `n` live workers (their heartbeats).
  static void await_workers(int port, double n) {
    ASSERT_EQ(wait_for_metric(port, "offload_remote_workers", [n](double v) { return v == n; }), n);
  }

  static void expect_hi(int port) {
    const auto hi = roundtrip(port, get_request("/hi"), 2s);
    ASSERT_TRUE(hi);
    EXPECT_EQ(hi->status, 200);
  }

  offload::hosting::EmbeddedBroker broker_;
};

TEST(RemoteWorkerProgram, HelpBadFlagsAndRefusedCredentials) {
  auto help = testsupport::run_program(OFFLOAD_WORKER, {"--help"});
  EXPECT_EQ(WEXITSTATUS(help.status), 0);
  EXPECT_NE(help.output.find("--nats URL"), std::string::npos) << help.output;
  EXPECT_NE(help.output.find("NATS_TOKEN"), std::string::npos);
  for (const std::vector<std::string>& bad : {std::vector<std::string>{"--concurrency", "0"},
                                              {"--concurrency", "257"},
                                              {"--heartbeat", "61"},
                                              {"--no-such-flag"},
                                              {"--nats", "http://x"}}) {
    auto r = testsupport::run_program(OFFLOAD_WORKER, bad);
    EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2) << bad[0] << ": " << r.output;
    EXPECT_NE(r.output.find("offload-worker: "), std::string::npos) << r.output;
  }
  offload::hosting::EmbeddedBroker broker;
  ASSERT_EQ(broker.start({}), "");
  auto refused = testsupport::run_program(OFFLOAD_WORKER, {"--nats", broker.url()},
                                          {{"NATS_TOKEN", "not-the-token"}}, 20s);
  EXPECT_TRUE(WIFEXITED(refused.status) && WEXITSTATUS(refused.status) == 1) << refused.output;
  EXPECT_NE(refused.output.find("Authorization Violation"), std::string::npos) << refused.output;
}

// The private broker binds outside the kernel's ephemeral range, where no client connection's
// local port (in TIME_WAIT for a minute after it closes) can keep it from binding the same
// port again after a crash; a port asked for and taken is a clear error, leaving nothing.
TEST(EmbeddedBrokerPort, OutsideTheEphemeralRangeAndATakenPortIsAClearError) {
  int lo = 0, hi = 0;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> lo >> hi;
  ASSERT_GT(lo, 0);
  offload::hosting::EmbeddedBroker a;
  ASSERT_EQ(a.start({}), "");
  EXPECT_TRUE(a.port() < lo || a.port() > hi) << a.port() << " in " << lo << "-" << hi;
  offload::hosting::EmbeddedBroker b;
  const std::string err = b.start({"nats-server", "127.0.0.1", a.port(), ""});
  EXPECT_NE(err.find("address already in use"), std::string::npos) << err;
  EXPECT_FALSE(b.running());
}

TEST_F(RemoteStrategy, ServerWithRefusedCredentialsExitsWithTheReason) {
  auto r = testsupport::run_program(
      OFFLOAD_SERVER, {"--strategy", "remote", "--port", "0", "--nats", broker_.url()},
      {{"NATS_TOKEN", "not-the-token"}}, 20s);
  EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1) << r.output;
  EXPECT_NE(r.output.find("Authorization Violation"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(broker_.token()), std::string::npos) << "the token is never printed";
}

TEST(RemoteEmbedded, PrivateBrokerAndLocalWorkersAnswerAndLeaveNothingBehind) {
  ServerProcess server(OFFLOAD_SERVER, {"--strategy", "remote", "--port", "0", "--workers", "2"},
                       {{"FIB", "20"}});
  // The private broker and both workers are the server's children.
  const auto children = testsupport::child_pids(server.pid());
  ASSERT_EQ(children.size(), 3u);
  for (int i = 0; i < 20; ++i) {
    const auto root = roundtrip(server.port(), get_request("/"));
    ASSERT_TRUE(root);
    ASSERT_EQ(root->status, 200);
    EXPECT_EQ(root->body, "answer is >>> 6765\n");
  }
  const std::string m = remotetest::metrics(server.port());
  EXPECT_EQ(testsupport::sample(m, "offload_remote_round_trip_seconds_count"), 20);
  EXPECT_EQ(testsupport::sample(m, "offload_remote_connected"), 1);
  EXPECT_EQ(testsupport::sample(m, "offload_remote_workers"), 2);
  const double a = testsupport::sample(m, "offload_remote_replies_total{worker=\"local-0-1\"}");
  const double b = testsupport::sample(m, "offload_remote_replies_total{worker=\"local-1-1\"}");
  EXPECT_EQ(std::max(a, 0.0) + std::max(b, 0.0), 20);
  const auto status = server.stop(SIGTERM);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << server.stderr_text();
  for (pid_t child : children) EXPECT_FALSE(testsupport::process_alive(child)) << child;
}

// The server's child that runs nats-server (its private broker), and that broker's directory
// (from its `-c DIR/nats.conf`); -1 and "" when there is none.
std::pair<pid_t, std::string> private_broker(pid_t server) {
  for (pid_t child : testsupport::child_pids(server)) {
    std::istringstream cmdline(
        testsupport::read_proc("/proc/" + std::to_string(child) + "/cmdline"));
    std::vector<std::string> args;
    for (std::string arg; std::getline(cmdline, arg, '\0');) args.push_back(arg);
    if (args.empty() || args[0].find("nats-server") == std::string::npos) continue;
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
      if (args[i] == "-c") return {child, std::filesystem::path(args[i + 1]).parent_path()};
  }
  return {-1, ""};
}

TEST(RemoteEmbedded, APrivateBrokerThatDiesIsStartedAgainAndJobsFlowOnceMore) {
  ServerProcess server(OFFLOAD_SERVER, {"--strategy", "remote", "--port", "0", "--workers", "1"},
                       {{"FIB", "20"}});
  const int port = server.port();
  ASSERT_EQ(roundtrip(port, get_request("/"))->status, 200);
  const auto [first, dir] = private_broker(server.pid());
  ASSERT_GT(first, 0) << "no nats-server among the server's children";
  ASSERT_TRUE(std::filesystem::exists(dir)) << dir;
  ::kill(first, SIGKILL);
  // /hi answers throughout; `/` gets 503 while the broker is away, then 200 again.
  const bool served_again = testsupport::wait_until(
      [&] {
        const auto hi = roundtrip(port, get_request("/hi"), 2s);
        EXPECT_TRUE(hi && hi->status == 200) << "/hi must answer while the broker is away";
        const auto r = roundtrip(port, get_request("/"), 5s);
        if (r && r->status == 200 && r->body == "answer is >>> 6765\n") return true;
        EXPECT_TRUE(r && r->status == 503) << (r ? r->body : "no answer");
        return false;
      },
      30s);
  ASSERT_TRUE(served_again) << "jobs never flowed again after the broker was killed";
  const std::string m = remotetest::metrics(port);
  EXPECT_EQ(testsupport::sample(m, "offload_remote_broker_restarts_total"), 1) << m;
  EXPECT_GE(testsupport::sample(m, "offload_remote_reconnects_total"), 1) << m;
  EXPECT_EQ(testsupport::sample(m, "offload_remote_connected"), 1) << m;
  const auto [second, same_dir] = private_broker(server.pid());
  EXPECT_GT(second, 0);
  EXPECT_NE(second, first);
  EXPECT_EQ(same_dir, dir);
  EXPECT_NE(server.stderr_text().find("the private nats-server"), std::string::npos)
      << server.stderr_text();
  const auto children = testsupport::child_pids(server.pid());
  const auto status = server.stop(SIGTERM);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << server.stderr_text();
  for (pid_t child : children) EXPECT_FALSE(testsupport::process_alive(child)) << child;
  EXPECT_FALSE(std::filesystem::exists(dir)) << "the broker's directory is left behind";
}

struct Sched {
  std::string comm;
  int nice = 0;
  int policy = 0;
  std::string cpus;
};

// A task's name, nice, policy and allowed CPUs from /proc.
Sched sched_of(const std::filesystem::path& task) {
  Sched s;
  std::ifstream(task / "comm") >> s.comm;
  std::ifstream stat(task / "stat");
  std::string line;
  std::getline(stat, line);
  std::istringstream fields(line.substr(line.rfind(')') + 2));
  const std::vector<std::string> f((std::istream_iterator<std::string>(fields)),
                                   std::istream_iterator<std::string>());
  s.nice = std::stoi(f.at(19 - 3));  // fields 19 and 41, counted from 3 after "pid (comm) "
  s.policy = std::stoi(f.at(41 - 3));
  std::ifstream status(task / "status");
  while (std::getline(status, line))
    if (line.rfind("Cpus_allowed_list:", 0) == 0)
      s.cpus = line.substr(line.find_first_not_of(" \t", 18));
  return s;
}

// The knobs go to the job threads only: nats.c's threads (delivery, heartbeat) keep the
// defaults, so a worker at --worker-policy idle still answers "accepted" and beats on time.
TEST(RemoteEmbedded, LocalWorkersJobThreadsGetNicePolicyAndCpus) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "needs 2 CPUs";
  ServerProcess server(OFFLOAD_SERVER,
                       {"--strategy", "remote", "--port", "0", "--workers", "2", "--worker-nice",
                        "4", "--worker-policy", "idle", "--worker-cpus", "1"});
  ASSERT_EQ(roundtrip(server.port(), get_request("/?n=20"))->status, 200);
  int workers = 0;
  for (pid_t child : testsupport::child_pids(server.pid())) {
    const auto dir = std::filesystem::path("/proc") / std::to_string(child);
    if (sched_of(dir).comm != "offload-worker") continue;  // the broker
    ++workers;
    int job_threads = 0;
    for (const auto& task : std::filesystem::directory_iterator(dir / "task")) {
      const Sched s = sched_of(task.path());
      if (s.comm.rfind("job-", 0) == 0) {
        ++job_threads;
        EXPECT_EQ(s.nice, 4);
        EXPECT_EQ(s.policy, 5);  // SCHED_IDLE
        EXPECT_EQ(s.cpus, "1");
      } else {
        EXPECT_EQ(s.nice, 0) << s.comm;
        EXPECT_EQ(s.policy, 0) << s.comm;
      }
    }
    EXPECT_EQ(job_threads, 1);
  }
  EXPECT_EQ(workers, 2);
  EXPECT_NE(remotetest::metrics(server.port()).find("refused=\"\"} 1"), std::string::npos);
}

TEST(RemoteEmbedded, MaxQueueBoundsTheJobsOutstanding) {
  ServerProcess server(
      OFFLOAD_SERVER, {"--strategy", "remote", "--port", "0", "--workers", "1", "--max-queue", "1"},
      {{"FIB", "20"}});
  // One worker running one job, one job waiting: the third is refused at once.
  auto first = remotetest::get_async(server.port(), kLongJob);
  ASSERT_EQ(wait_for_metric(server.port(), "offload_remote_jobs_in_flight",
                            [](double v) { return v == 1; }),
            1);
  auto second = remotetest::get_async(server.port(), kLongJob);
  ASSERT_EQ(wait_for_metric(server.port(), "offload_remote_jobs_in_flight",
                            [](double v) { return v == 2; }),
            2);
  const auto third = roundtrip(server.port(), get_request("/"), 2s);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 503);
  EXPECT_TRUE(third->has("retry-after"));
  for (auto* f : {&first, &second}) {
    const auto r = f->get();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, kLongAnswer);
  }
  EXPECT_EQ(testsupport::metric(server.port(), "offload_jobs_rejected_total"), 1);
}

// A local worker running a job past its timeout is killed and replaced, as the process pool's.
TEST(RemoteEmbedded, JobPastItsTimeoutIs504AndItsLocalWorkerReplaced) {
  ServerProcess server(OFFLOAD_SERVER,
                       {"--strategy", "remote", "--port", "0", "--workers", "1", "--job-timeout",
                        "0.3", "--max-n", "60"},
                       {{"FIB", "20"}});
  const auto start = Clock::now();
  const auto late = roundtrip(server.port(), get_request("/?n=55"), 10s);  // hours of work
  ASSERT_TRUE(late);
  EXPECT_EQ(late->status, 504);
  EXPECT_LT(Clock::now() - start, 900ms);
  ASSERT_EQ(wait_for_metric(server.port(), "offload_workers_restarted_total",
                            [](double v) { return v == 1; }),
            1);
  ASSERT_EQ(
      wait_for_metric(server.port(), "offload_remote_workers", [](double v) { return v == 1; }), 1);
  const auto next = roundtrip(server.port(), get_request("/"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "answer is >>> 6765\n");
  const std::string m = remotetest::metrics(server.port());
  EXPECT_EQ(testsupport::sample(m, "offload_remote_replies_total{worker=\"local-0-2\"}"), 1)
      << "the replacement served it";
  EXPECT_EQ(testsupport::sample(m, "offload_workers_restarted_total"), 1);
  EXPECT_EQ(testsupport::sample(m, "offload_workers_young_deaths"), 0) << "killed, not crashed";
}

// A worker elsewhere cannot be stopped: it finishes the job, and its reply is dropped.
TEST_F(RemoteStrategy, JobPastItsTimeoutIs504AndItsLateReplyIsDropped) {
  auto s = server({"--job-timeout", "0.3"});
  auto w = worker("slow");
  await_workers(s->port(), 1);
  const auto start = Clock::now();
  const auto late = roundtrip(s->port(), get_request(kLongJob), 10s);
  ASSERT_TRUE(late);
  EXPECT_EQ(late->status, 504);
  EXPECT_LT(Clock::now() - start, 900ms);
  EXPECT_EQ(wait_for_metric(s->port(), "offload_remote_late_replies_total",
                            [](double v) { return v == 1; }),
            1);
  const auto next = roundtrip(s->port(), get_request("/"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "answer is >>> 6765\n");
}

TEST_F(RemoteStrategy, NoWorkerIs503AtOnceAndHiIsUnaffected) {
  auto s = server({"--job-timeout", "20"});
  const auto start = Clock::now();
  const auto root = roundtrip(s->port(), get_request("/"), 10s);
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 503);
  EXPECT_TRUE(root->has("retry-after"));
  EXPECT_NE(root->body.find("no worker is listening on offload.jobs.fib"), std::string::npos)
      << root->body;
  EXPECT_LT(Clock::now() - start, 2s) << "answered by the broker's no-responders, not a timeout";
  expect_hi(s->port());
  EXPECT_EQ(testsupport::metric(s->port(), "offload_remote_no_responders_total"), 1);
  // A worker arrives: the same request is served.
  auto w = worker("w1");
  await_workers(s->port(), 1);
  const auto served = roundtrip(s->port(), get_request("/"));
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
}

// A worker's id reaches /metrics from the network, from any NATS client, not only from an
// offload-worker (which allows only visible ASCII): whatever it says, the exposition stays valid
// and the id is shown escaped, its bytes that are not UTF-8 as U+FFFD.
TEST_F(RemoteStrategy, AnyWorkerIdFromTheNetworkLeavesTheExpositionValid) {
  auto s = server();
  offload::natsc::Connection peer;
  offload::natsc::ConnectOptions o;
  o.url = broker_.url();
  o.token = broker_.token();
  o.name = "odd-peer";
  ASSERT_EQ(peer.connect(o), "");
  offload::remote::Heartbeat beat;
  beat.worker = "a\"b\\c\xff{x=\"1\"},d";
  beat.interval_ms = 60'000;
  beat.concurrency = 1;
  beat.busy = 1;
  // Sent until the server counts it: one sent before the server subscribed is not delivered.
  testsupport::wait_until(
      [&] {
        EXPECT_EQ(offload::natsc::publish(peer.get(), offload::remote::heartbeat_subject("fib"), "",
                                          "", offload::remote::heartbeat_headers(beat)),
                  NATS_OK);
        return testsupport::sample(remotetest::metrics(s->port()), "offload_remote_workers") == 1;
      },
      20s);
  const std::string m = remotetest::metrics(s->port());
  EXPECT_EQ(testsupport::sample(m, "offload_remote_workers"), 1) << m;
  EXPECT_EQ(testsupport::sample(
                m, "offload_remote_worker_busy{worker=\"a\\\"b\\\\c\xEF\xBF\xBD{x=\\\"1\\\"},d\"}"),
            1)
      << m;
  const auto r = testsupport::promtool_check(m);
  EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.output << m;
  EXPECT_EQ(r.output, "");
}

TEST_F(RemoteStrategy, WorkerDyingMidJobHasItsJobRetriedOnAnother) {
  auto s = server();
  auto doomed = worker("doomed");
  await_workers(s->port(), 1);
  auto job = remotetest::get_async(s->port(), kLongJob);
  ASSERT_EQ(wait_for_metric(s->port(), "offload_remote_worker_busy{worker=\"doomed\"}",
                            [](double v) { return v == 1; }),
            1);
  auto survivor = worker("survivor");
  await_workers(s->port(), 2);
  ASSERT_TRUE(doomed->stop(SIGKILL));
  expect_hi(s->port());
  const auto r = job.get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, kLongAnswer);
  // Only the dead worker's job was hit; the next is served as ever.
  const auto o = roundtrip(s->port(), get_request("/?n=25"));
  ASSERT_TRUE(o);
  EXPECT_EQ(o->status, 200);
  const std::string m = remotetest::metrics(s->port());
  EXPECT_EQ(testsupport::sample(m, "offload_remote_retries_total"), 1);
  EXPECT_EQ(testsupport::sample(m, "offload_remote_lost_attempts_total"), 1);
  EXPECT_EQ(testsupport::sample(m, "offload_remote_replies_total{worker=\"survivor\"}"), 2);
}

TEST_F(RemoteStrategy, WorkerDyingMidJobWithoutRetriesIs502ForThatJobOnly) {
  auto s = server({"--remote-retries", "0"});
  auto doomed = worker("doomed");
  await_workers(s->port(), 1);
  auto job = remotetest::get_async(s->port(), kLongJob);
  ASSERT_EQ(wait_for_metric(s->port(), "offload_remote_worker_busy{worker=\"doomed\"}",
                            [](double v) { return v == 1; }),
            1);
  auto survivor = worker("survivor");
  await_workers(s->port(), 2);
  ASSERT_TRUE(doomed->stop(SIGKILL));
  expect_hi(s->port());
  const auto r = job.get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502);
  EXPECT_NE(r->body.find("doomed"), std::string::npos) << r->body;
  // A job sent once the server has seen the death goes to the survivor. (One sent in the
  // instant of the kill may go to the dying worker, and is lost with it: core NATS delivers at
  // most once; --remote-retries covers that.)
  const auto o = roundtrip(s->port(), get_request("/?n=25"));
  ASSERT_TRUE(o);
  EXPECT_EQ(o->status, 200);
  EXPECT_EQ(o->body, "answer is >>> 75025\n");
  EXPECT_EQ(testsupport::metric(s->port(), "offload_remote_retries_total"), 0);
}

TEST_F(RemoteStrategy, WorkerDrainsTheJobItHoldsOnSigterm) {
  auto s = server();
  auto w = worker("drainer");
  await_workers(s->port(), 1);
  auto job = remotetest::get_async(s->port(), kLongJob);
  ASSERT_EQ(wait_for_metric(s->port(), "offload_remote_worker_busy{worker=\"drainer\"}",
                            [](double v) { return v == 1; }),
            1);
  const auto status = w->stop(SIGTERM);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  const auto r = job.get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, kLongAnswer);
  EXPECT_EQ(testsupport::metric(s->port(), "offload_remote_retries_total"), 0);
}

TEST_F(RemoteStrategy, BrokerAwayIs503ThenTheServerReconnects) {
  // Credentials in the URL this time, instead of NATS_TOKEN.
  const std::string url =
      "nats://" + broker_.token() + "@127.0.0.1:" + std::to_string(broker_.port());
  ServerProcess s(OFFLOAD_SERVER,
                  {"--strategy", "remote", "--port", "0", "--fib", "20", "--nats", url});
  auto w = worker("w1");
  await_workers(s.port(), 1);
  ASSERT_EQ(roundtrip(s.port(), get_request("/"))->status, 200);

  const int port = broker_.port();
  const std::string token = broker_.token();
  broker_.kill_now();
  ASSERT_EQ(wait_for_metric(s.port(), "offload_remote_connected", [](double v) { return v == 0; }),
            0);
  const auto start = Clock::now();
  const auto away = roundtrip(s.port(), get_request("/"), 5s);
  ASSERT_TRUE(away);
  EXPECT_EQ(away->status, 503);
  EXPECT_TRUE(away->has("retry-after"));
  EXPECT_LT(Clock::now() - start, 1s);
  expect_hi(s.port());
  EXPECT_EQ(
      testsupport::metric(s.port(), "offload_remote_connection_state{state=\"reconnecting\"}"), 1);

  ASSERT_EQ(broker_.start({"nats-server", "127.0.0.1", port, token}), "");
  ASSERT_EQ(wait_for_metric(s.port(), "offload_remote_connected", [](double v) { return v == 1; }),
            1);
  EXPECT_EQ(testsupport::metric(s.port(), "offload_remote_reconnects_total"), 1);
  // Jobs flow again once the worker has reconnected too. Its last heartbeat from before is
  // still within its liveness limit (the broker was away for a moment), so the server may count
  // it before it has subscribed again: until then a job is answered 503 (no responders).
  std::optional<testsupport::Reply> back;
  testsupport::wait_until(
      [&] {
        back = roundtrip(s.port(), get_request("/"));
        return !back || back->status != 503;
      },
      20s);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status, 200) << back->body;
  EXPECT_EQ(back->body, "answer is >>> 6765\n");
}

}  // namespace
