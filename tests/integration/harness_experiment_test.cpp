// `offload-bench experiment` end to end with short phases: the results folder follows
// harness/RESULTS.md (checked by harness/tools/check_results.py, with pandas where present),
// and Ctrl-C or a dying server mid-run leave valid files, a clear status and no server.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "experiment/json_value.hpp"
#include "experiment/knobs.hpp"
#include "experiment/strategies.hpp"
#include "harness_background.hpp"
#include "results_dir_test.hpp"
#include "server_process.hpp"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using testsupport::exit_code;
using testsupport::read_file;

class ExperimentTest : public testsupport::ResultsDirTest {
 protected:
  // Capacity runs only (the classic phases), once, unless `extra` says otherwise.
  std::vector<std::string> args(const std::string& phase, const std::string& strategies,
                                const std::vector<std::string>& extra = {"--load", "none",
                                                                         "--repeats", "1"}) const {
    std::vector<std::string> a = {"experiment",
                                  "--server",
                                  OFFLOAD_SERVER,
                                  "--strategies",
                                  strategies,
                                  "--fib",
                                  "20",
                                  "--workers",
                                  "2",
                                  "--phase",
                                  phase,
                                  "--idle",
                                  "0.3",
                                  "--calibrate",
                                  "0.3",
                                  "--probe-rate",
                                  "200",
                                  "--results",
                                  results_.string(),
                                  "--quiet"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  // The server (and its workers) offload-bench started, once there is one.
  std::vector<pid_t> server_tree(pid_t bench) const {
    std::vector<pid_t> tree = testsupport::child_pids(bench);
    for (std::size_t i = 0; i < tree.size(); ++i)
      for (pid_t c : testsupport::child_pids(tree[i])) tree.push_back(c);
    return tree;
  }

  bool summary_has(const std::string& text) const {
    return read_file(latest() / "summary.csv").find(text) != std::string::npos;
  }
};

TEST_F(ExperimentTest, WritesResultsThatParseAndATable) {
  // A 16-character environment entry (a heap string, past the short-string buffer) that is
  // shorter than the knobs' variables offload-bench removes before it starts a server: under
  // AddressSanitizer this catches a lookup that reads past the end of a shorter entry.
  const std::map<std::string, std::string> env = {{"OLB_PAD_VAR", "x123"}};
  const auto r = testsupport::run_program(
      OFFLOAD_BENCH, args("0.6", "thread,process", {"--load", "50%,150rps", "--repeats", "1"}), env,
      90s);
  ASSERT_EQ(exit_code(r.status), 0) << r.output;
  EXPECT_NE(r.output.find("thread-fib20-w2"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("process-fib20-w2"), std::string::npos);
  EXPECT_NE(r.output.find("results: " + results_.string()), std::string::npos);
  ASSERT_TRUE(fs::is_symlink(latest()));
  EXPECT_EQ(check("complete", true), "");
  const std::string meta = read_file(latest() / "meta.json");
  EXPECT_NE(meta.find("\"job_cost_ms\": "), std::string::npos);
  EXPECT_EQ(meta.find("\"job_cost_ms\": null"), std::string::npos) << meta;
  EXPECT_TRUE(fs::exists(latest() / "hgrm" / "thread-fib20-w2-r0-heavy+probe-probe.hgrm"));
  EXPECT_TRUE(fs::exists(latest() / "hgrm" / "process-fib20-w2-r1-load-50pct-heavy.hgrm"));
  EXPECT_TRUE(fs::exists(latest() / "hgrm" / "process-fib20-w2-r1-load-150rps-probe.hgrm"));
  EXPECT_NE(r.output.find("Responsive capacity"), std::string::npos) << r.output;
  // meta.json records the strategies as the server listed them, in its order.
  const auto doc = bench::json::parse(meta);
  ASSERT_TRUE(doc.has_value());
  ASSERT_NE(doc->get("strategies_from"), nullptr);
  EXPECT_EQ(doc->get("strategies_from")->text, "server");
  bench::StrategyRegistry listed;
  ASSERT_EQ(bench::ask_server_strategies(OFFLOAD_SERVER, listed), "");
  const auto* recorded = doc->get("strategies");
  ASSERT_NE(recorded, nullptr);
  ASSERT_EQ(recorded->items.size(), listed.strategies.size());
  for (std::size_t i = 0; i < listed.strategies.size(); ++i)
    EXPECT_EQ(recorded->items[i].get("name")->text, listed.strategies[i].name);
}

TEST(ServerStrategiesTest, TheServersListGivesTheKnobScopesTheHarnessAlwaysHad) {
  // The harness takes its knob scopes, pool sizes and ratio baseline from the server's list;
  // the built-in list (for a server that lists none) is what they were before. A server
  // whose list changes them changes the experiments' configurations: this says so.
  bench::StrategyRegistry listed;
  ASSERT_EQ(bench::ask_server_strategies(OFFLOAD_SERVER, listed), "");
  EXPECT_EQ(listed.source, "server");
  const auto builtin = bench::builtin_strategies();
  // The built-in strategies come first, in their order; strategies added since follow them.
  ASSERT_GE(listed.strategies.size(), builtin.strategies.size()) << listed.names_text();
  for (std::size_t i = 0; i < builtin.strategies.size(); ++i) {
    const auto& mine = builtin.strategies[i];
    const auto& theirs = listed.strategies[i];
    ASSERT_EQ(theirs.name, mine.name) << listed.names_text();
    EXPECT_EQ(theirs.has_pool(), mine.has_pool()) << mine.name;
    EXPECT_EQ(theirs.workload_in_server, mine.workload_in_server) << mine.name;
    for (const auto& k : bench::knob_specs())
      EXPECT_EQ(bench::knob_applies(k, theirs, listed), bench::knob_applies(k, mine, builtin))
          << mine.name << " " << k.key;
  }
  ASSERT_NE(listed.loop_strategy(), nullptr);
  EXPECT_EQ(listed.loop_strategy()->name, "inline");
  // A program that is no such server: a reason, and the list untouched.
  bench::StrategyRegistry untouched;
  EXPECT_NE(bench::ask_server_strategies("/bin/false", untouched), "");
  EXPECT_TRUE(untouched.strategies.empty());
  EXPECT_NE(bench::ask_server_strategies("/nonexistent/offload-server", untouched), "");
}

TEST_F(ExperimentTest, SigintMidRunLeavesValidFilesAndNoServer) {
  testsupport::BackgroundProgram bench(OFFLOAD_BENCH, args("2", "process"));
  // Mid-run: the probe-only phase is over and heavy load is on.
  ASSERT_TRUE(testsupport::wait_until(
      [&] { return fs::exists(latest() / "summary.csv") && summary_has(",probe-only,"); }, 30s))
      << bench.output();
  const std::vector<pid_t> servers = server_tree(bench.pid());
  ASSERT_GE(servers.size(), 3u) << "a process server and its 2 workers";
  bench.signal(SIGINT);
  const auto status = bench.wait(30s);
  ASSERT_TRUE(status.has_value()) << "offload-bench did not stop after SIGINT";
  EXPECT_EQ(exit_code(*status), 130) << bench.output();
  EXPECT_EQ(check("interrupted", false), "");
  EXPECT_TRUE(summary_has(",heavy-only,")) << "the interrupted phase's rows are kept";
  for (pid_t pid : servers) EXPECT_FALSE(testsupport::process_alive(pid)) << pid;
  EXPECT_NE(read_file(latest() / "meta.json").find("\"server_exit\": \"clean\""),
            std::string::npos);
}

TEST_F(ExperimentTest, ServerDeathFailsTheRunWithAClearMessage) {
  testsupport::BackgroundProgram bench(OFFLOAD_BENCH, args("3", "thread"));
  ASSERT_TRUE(testsupport::wait_until(
      [&] { return fs::exists(latest() / "summary.csv") && summary_has(",idle-before,"); }, 30s))
      << bench.output();
  const std::vector<pid_t> children = testsupport::child_pids(bench.pid());
  ASSERT_EQ(children.size(), 1u);
  kill(children[0], SIGKILL);
  const auto status = bench.wait(20s);
  ASSERT_TRUE(status.has_value()) << "offload-bench hung after its server died";
  EXPECT_EQ(exit_code(*status), 1) << bench.output();
  EXPECT_NE(bench.output().find("died during"), std::string::npos) << bench.output();
  EXPECT_NE(bench.output().find("killed by signal 9"), std::string::npos) << bench.output();
  EXPECT_EQ(check("failed", false), "");
}

}  // namespace
