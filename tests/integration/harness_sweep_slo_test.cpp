// `offload-bench experiment --sweep ... --slo ...` end to end with tiny phases: every
// configuration of the sweep runs, its label and CSV columns carry the knob, the server ran
// what was asked (an exported WORKER_NICE does not leak into it), and the exit status says
// whether the chosen configuration met its objectives: 0 when it did, 3 when it did not,
// 2 for a --choose label that names no configuration.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "experiment/knobs.hpp"
#include "harness_background.hpp"
#include "results_dir_test.hpp"
#include "server_process.hpp"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using testsupport::exit_code;
using testsupport::read_file;

using testsupport::read_csv;

class SweepSloTest : public testsupport::ResultsDirTest {
 protected:
  std::vector<std::string> args(std::vector<std::string> extra) const {
    std::vector<std::string> a = {"experiment",
                                  "--server",
                                  OFFLOAD_SERVER,
                                  "--strategies",
                                  "thread",
                                  "--fib",
                                  "20",
                                  "--workers",
                                  "2",
                                  "--phase",
                                  "0.6",
                                  "--idle",
                                  "0.3",
                                  "--calibrate",
                                  "0.3",
                                  "--probe-rate",
                                  "200",
                                  "--heavy-conns",
                                  "2",
                                  "--load",
                                  "none",
                                  "--repeats",
                                  "1",
                                  "--results",
                                  results_.string(),
                                  "--quiet"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
};

TEST_F(SweepSloTest, EveryKnobValueRunsAndIsRecordedAndAPassingSloExitsZero) {
  // WORKER_NICE in the environment would configure a server that reads it: the harness must
  // remove it, or the nice0 configuration would run at 7 and the mismatch would be reported.
  // IDLE_TIMEOUT, a fallback no experiment flag sets, would stop every server at its start.
  const auto r = testsupport::run_program(
      OFFLOAD_BENCH,
      args({"--sweep", "worker-nice=0,5", "--slo", "hi.p50<30s", "--slo", "heavy.rps>0"}),
      {{"WORKER_NICE", "7"}, {"IDLE_TIMEOUT", "never"}}, 90s);
  ASSERT_EQ(exit_code(r.status), 0) << r.output;
  EXPECT_NE(r.output.find("thread-fib20-w2-nice0 "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("thread-fib20-w2-nice5 "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("chosen: thread-fib20-w2-nice"), std::string::npos) << r.output;
  EXPECT_EQ(check("complete", true), "");

  std::map<std::string, std::set<std::string>> nice_by_config;
  unsigned checked = 0;
  for (const auto& row : read_csv(latest() / "summary.csv")) {
    nice_by_config[row.at("config")].insert(row.at("worker_nice"));
    EXPECT_EQ(row.at("worker_policy"), "normal");
    EXPECT_EQ(row.at("knobs_refused"), "") << row.at("config") << " " << row.at("phase");
    if (row.at("phase") == "heavy+probe") {
      ++checked;
      EXPECT_EQ(row.at("slo_pass"), "pass");
      EXPECT_NE(row.at("slo_detail").find("hi.p50<30s: "), std::string::npos);
    } else {
      EXPECT_EQ(row.at("slo_pass"), "");
    }
  }
  EXPECT_EQ(nice_by_config,
            (std::map<std::string, std::set<std::string>>{{"thread-fib20-w2-nice0", {"0"}},
                                                          {"thread-fib20-w2-nice5", {"5"}}}));
  EXPECT_EQ(checked, 4u);  // heavy and probe rows of heavy+probe, two configurations
  const auto metrics = read_csv(latest() / "metrics.csv");
  ASSERT_FALSE(metrics.empty());
  EXPECT_EQ(metrics.back().at("worker_nice"), "5");

  const std::string meta = read_file(latest() / "meta.json");
  EXPECT_NE(meta.find("\"sweeps\": {\"worker-nice\": [\"0\", \"5\"]}"), std::string::npos) << meta;
  EXPECT_NE(meta.find("\"worker_nice\": 5"), std::string::npos);
  EXPECT_NE(meta.find("\"slos\": [\"hi.p50<30s\", \"heavy.rps>0\"]"), std::string::npos);
  EXPECT_NE(meta.find("\"chosen_pass\": true"), std::string::npos);
  EXPECT_EQ(meta.find("\"slo_pass\": false"), std::string::npos);
}

TEST_F(SweepSloTest, AFailedSloOfTheChosenConfigurationExitsThree) {
  const auto r =
      testsupport::run_program(OFFLOAD_BENCH, args({"--slo", "heavy.rps>100000000"}), {}, 60s);
  ASSERT_EQ(exit_code(r.status), 3) << r.output;
  EXPECT_NE(r.output.find("chosen: thread-fib20-w2 (the only configuration): fail; exit status 3"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(check("complete", true), "");
  const std::string summary = read_file(latest() / "summary.csv");
  EXPECT_NE(summary.find(",fail,heavy.rps>100000000: "), std::string::npos) << summary;
  const std::string meta = read_file(latest() / "meta.json");
  EXPECT_NE(meta.find("\"chosen_pass\": false"), std::string::npos) << meta;
  EXPECT_NE(meta.find("\"status\": \"complete\""), std::string::npos);
}

TEST_F(SweepSloTest, AChoiceThatNamesNoConfigurationExitsTwoBeforeStarting) {
  const auto r = testsupport::run_program(
      OFFLOAD_BENCH, args({"--slo", "hi.p99<2ms", "--choose", "thread-fib20-w9"}), {}, 20s);
  EXPECT_EQ(exit_code(r.status), 2) << r.output;
  EXPECT_NE(r.output.find("--choose thread-fib20-w9: no such configuration (thread-fib20-w2)"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(fs::exists(latest())) << "nothing is started or written for a bad plan";
}

// A shell's UV_THREADPOOL_SIZE would size uvpool's pool in place of --workers: the experiment
// removes it, so the pool it measures is the one its labels name.
TEST_F(SweepSloTest, AUsersThreadPoolSizeDoesNotResizeUvpool) {
  const auto r = testsupport::run_program(OFFLOAD_BENCH, args({"--strategies", "uvpool"}),
                                          {{"UV_THREADPOOL_SIZE", "1"}}, 60s);
  ASSERT_EQ(exit_code(r.status), 0) << r.output;
  const auto metrics = read_csv(latest() / "metrics.csv");
  ASSERT_FALSE(metrics.empty());
  for (const auto& row : metrics) EXPECT_EQ(row.at("workers_alive"), "2") << row.at("phase");
}

// The variables an experiment removes are the ones the server reads: its --help lists each
// as [NAME]. A fallback added to the server without the harness hearing of it fails here.
TEST(ServerEnvNames, AreTheFallbacksTheServersHelpLists) {
  const auto r = testsupport::run_program(OFFLOAD_SERVER, {"--help"}, {}, 10s);
  ASSERT_EQ(exit_code(r.status), 0) << r.output;
  std::set<std::string> in_help;
  const std::regex bracketed(R"(\[([A-Z][A-Z_]*)\])");
  for (std::sregex_iterator it(r.output.begin(), r.output.end(), bracketed), end; it != end; ++it)
    in_help.insert((*it)[1]);
  const auto& names = bench::server_env_names();
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), in_help) << r.output;
  EXPECT_GE(in_help.size(), 20u) << r.output;
}

}  // namespace
