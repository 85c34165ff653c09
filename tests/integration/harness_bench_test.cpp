// offload-bench against the real offload-server: closed loops count every call, error
// classes are named, the command line answers bad flags with exit 2 and an unreachable or
// vanished server with exit 1 and a clear line, never a hang.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "client/target.hpp"
#include "harness_background.hpp"
#include "load/phase.hpp"
#include "raw_http.hpp"
#include "server_process.hpp"

namespace {

using namespace std::chrono_literals;
using testsupport::exit_code;

testsupport::ServerProcess start_server() {
  return testsupport::ServerProcess(OFFLOAD_SERVER,
                                    {"--port", "0", "--strategy", "thread", "--fib", "20"});
}

// A loopback port nothing listens on: bound, read back and released.
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

class Collector final : public bench::PhaseListener {
 public:
  void phase_window(bench::Phase&, const bench::PhaseWindow&) override {}
  void phase_ended(bench::Phase&) override { ended = true; }
  void phase_failed(bench::Phase&, const std::string& m) override { failure = m; }
  bool ended = false;
  std::string failure;
};

// Runs streams against `port` in-process; returns their final statistics.
std::vector<bench::StreamStats> run_streams(int port, const std::vector<bench::StreamSpec>& specs,
                                            std::string* failure = nullptr) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  bench::Target target;
  target.port = port;
  EXPECT_EQ(bench::resolve(target), "");
  Collector c;
  std::vector<bench::StreamStats> out;
  {
    bench::Phase phase(&loop, target, specs, {}, c);
    phase.start();
    uv_run(&loop, UV_RUN_DEFAULT);
    EXPECT_TRUE(c.ended || !c.failure.empty());
    for (const auto& s : phase.streams()) out.push_back(s->stats());
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0) << "a libuv handle leaked";
  if (failure != nullptr) *failure = c.failure;
  return out;
}

TEST(ClosedLoopTest, EveryConnectionMakesExactlyItsCalls) {
  auto server = start_server();
  bench::StreamSpec hi;
  hi.path = "/hi";
  hi.conns = 7;
  hi.calls = 13;
  bench::StreamSpec heavy;
  heavy.name = "heavy";
  heavy.path = "/?n=18";
  heavy.conns = 2;
  heavy.calls = 5;
  const auto stats = run_streams(server.port(), {hi, heavy});
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].count(), 7u * 13u);
  EXPECT_EQ(stats[0].requests_sent(), 7u * 13u);
  EXPECT_EQ(stats[0].errors(), 0u) << stats[0].error_classes_text();
  EXPECT_EQ(stats[1].count(), 10u);
  EXPECT_GT(stats[1].latency().min(), 0u);
}

TEST(ClosedLoopTest, NonSuccessAnswersAreCountedByStatus) {
  auto server = start_server();
  bench::StreamSpec missing;
  missing.path = "/nope";
  missing.conns = 3;
  missing.calls = 4;
  bench::StreamSpec too_big;
  too_big.name = "big";
  too_big.path = "/?n=99";
  too_big.conns = 1;
  too_big.calls = 2;
  const auto stats = run_streams(server.port(), {missing, too_big});
  EXPECT_EQ(stats[0].count(), 0u);
  EXPECT_EQ(stats[0].error_classes_text(), "status_404:12");
  EXPECT_EQ(stats[1].error_classes_text(), "status_400:2");
}

TEST(ClosedLoopTest, RefusedConnectionIsFatalNotAnEndlessErrorCount) {
  bench::StreamSpec s;
  s.conns = 2;
  s.duration_s = 30;
  std::string failure;
  const auto stats = run_streams(free_port(), {s}, &failure);
  EXPECT_NE(failure.find("cannot connect"), std::string::npos) << failure;
  EXPECT_NE(failure.find("connection refused"), std::string::npos) << failure;
}

TEST(BenchCommandTest, PerfRunPrintsATable) {
  auto server = start_server();
  const auto r = testsupport::run_program(
      OFFLOAD_BENCH, {"--target", "127.0.0.1:" + std::to_string(server.port()), "--conns", "20",
                      "--calls", "5", "--path", "/hi"});
  EXPECT_EQ(exit_code(r.status), 0) << r.output;
  EXPECT_NE(r.output.find("closed 20x5"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" 100 "), std::string::npos) << r.output;  // 100 answered
  EXPECT_NE(r.output.find("p99"), std::string::npos);
}

TEST(BenchCommandTest, TwoStreamsAndHgrmFiles) {
  auto server = start_server();
  char dir[] = "/tmp/offload-hgrm-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const auto r = testsupport::run_program(
      OFFLOAD_BENCH,
      {"--target", "127.0.0.1:" + std::to_string(server.port()), "--duration", "1", "--stream",
       "heavy:path=/,conns=2", "--stream", "probe:path=/hi,rate=300", "--hgrm", dir, "--quiet"});
  EXPECT_EQ(exit_code(r.status), 0) << r.output;
  EXPECT_NE(r.output.find("heavy"), std::string::npos);
  EXPECT_NE(r.output.find("open 300/s 1s"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("client lateness"), std::string::npos);
  for (const char* name : {"heavy", "probe"}) {
    std::ifstream in(std::string(dir) + "/" + name + ".hgrm");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find("1/(1-Percentile)"), std::string::npos) << name;
    EXPECT_NE(text.str().find("#[Max"), std::string::npos) << name;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

TEST(BenchCommandTest, HelpAndBadFlags) {
  auto help = testsupport::run_program(OFFLOAD_BENCH, {"--help"});
  EXPECT_EQ(exit_code(help.status), 0);
  EXPECT_NE(help.output.find("requests per second"), std::string::npos);
  EXPECT_NE(help.output.find("(ms)"), std::string::npos);
  auto exp_help = testsupport::run_program(OFFLOAD_BENCH, {"experiment", "--help"});
  EXPECT_EQ(exit_code(exp_help.status), 0);
  EXPECT_NE(exp_help.output.find("--probe-rate R"), std::string::npos);

  const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
      {{"--rate", "abc", "--duration", "1"}, "offload-bench: --rate abc: must be"},
      {{"--bogus"}, "unknown option --bogus"},
      {{"--conns", "4"}, "needs --calls N or --duration SEC"},
      {{"frobnicate"}, "unknown command frobnicate"},
      {{"experiment", "--fib", "0"}, "offload-bench experiment: --fib 0: must list integers"},
      // The strategies are the server's to name: it is asked, and its list is the rule.
      // (the server's list goes on past process: only its start is fixed here)
      {{"experiment", "--strategies", "inline,fast"},
       "offload-bench experiment: --strategies inline,fast: must list inline, thread, process"},
      {{"experiment", "--server", "/nonexistent/offload-server"}, "cannot run the server"},
  };
  for (const auto& [args, message] : bad) {
    const auto r = testsupport::run_program(OFFLOAD_BENCH, args);
    EXPECT_EQ(exit_code(r.status), 2) << args[0] << ": " << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << r.output;
  }
}

TEST(BenchCommandTest, UnreachableTargetExitsOneWithAClearMessage) {
  const auto r = testsupport::run_program(
      OFFLOAD_BENCH,
      {"--target", "127.0.0.1:" + std::to_string(free_port()), "--conns", "2", "--duration", "30"},
      {}, 20s);
  EXPECT_EQ(exit_code(r.status), 1) << r.output;
  EXPECT_NE(r.output.find("cannot connect to 127.0.0.1:"), std::string::npos) << r.output;
}

// True once the server has answered /hi (the load is flowing), within 10 s.
bool hi_traffic_flows(int port) {
  return testsupport::wait_until(
      [&] {
        const auto m = testsupport::roundtrip(port, testsupport::get_request("/metrics"));
        return m && m->body.find("endpoint=\"/hi\",status=\"200\"") != std::string::npos;
      },
      10s);
}

TEST(BenchCommandTest, ServerDyingMidRunEndsTheRunWithExitOne) {
  auto server = start_server();
  testsupport::BackgroundProgram bench(
      OFFLOAD_BENCH, {"--target", "127.0.0.1:" + std::to_string(server.port()), "--duration", "60",
                      "--stream", "a:path=/hi,conns=2", "--stream", "b:path=/hi,rate=200"});
  // Wait until the load is flowing (the server has answered), then take the server away.
  ASSERT_TRUE(hi_traffic_flows(server.port()));
  server.stop(SIGKILL);
  const auto status = bench.wait(15s);
  ASSERT_TRUE(status.has_value()) << "offload-bench did not end after its server died";
  EXPECT_EQ(exit_code(*status), 1) << bench.output();
  EXPECT_NE(bench.output().find("stopped accepting connections"), std::string::npos)
      << bench.output();
  EXPECT_NE(bench.output().find("req/s"), std::string::npos);  // what was measured is printed
}

TEST(BenchCommandTest, SigintPrintsWhatWasMeasuredAndExits130) {
  auto server = start_server();
  testsupport::BackgroundProgram bench(
      OFFLOAD_BENCH, {"--target", "127.0.0.1:" + std::to_string(server.port()), "--rate", "200",
                      "--duration", "60", "--path", "/hi"});
  ASSERT_TRUE(hi_traffic_flows(server.port()));
  bench.signal(SIGINT);
  const auto status = bench.wait(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(exit_code(*status), 130) << bench.output();
  EXPECT_NE(bench.output().find("open 200/s 60s"), std::string::npos) << bench.output();
  EXPECT_NE(bench.output().find("interrupted"), std::string::npos);
}

}  // namespace
