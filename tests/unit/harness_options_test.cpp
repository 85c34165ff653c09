// offload-bench's flags: good ones land in the options, bad ones give one line naming the
// rule they break (the program exits 2 on them).
#include <gtest/gtest.h>

#include "cli/options.hpp"
#include "harness_strategy_fixture.hpp"

namespace {

using bench::ParseStatus;

bench::ParseResult run(std::vector<std::string> args, bench::RunOptions& out) {
  return bench::parse_run_options(args, out);
}

TEST(RunOptionsTest, ClosedLoopLikeHttperf) {
  bench::RunOptions o;
  ASSERT_EQ(
      run({"--target", "10.1.2.3:9000", "--conns", "20", "--calls", "200", "--path", "/?n=25"}, o)
          .status,
      ParseStatus::ok);
  EXPECT_EQ(o.target.host, "10.1.2.3");
  EXPECT_EQ(o.target.port, 9000);
  ASSERT_EQ(o.streams.size(), 1u);
  EXPECT_FALSE(o.streams[0].open_loop());
  EXPECT_EQ(o.streams[0].conns, 20u);
  EXPECT_EQ(o.streams[0].calls, 200u);
  EXPECT_EQ(o.streams[0].path, "/?n=25");
}

TEST(RunOptionsTest, OpenLoopWithUnitsAndIpv6Target) {
  bench::RunOptions o;
  ASSERT_EQ(run({"--target=[::1]:8080", "--rate", "250.5", "--duration", "1500ms", "--poisson"}, o)
                .status,
            ParseStatus::ok);
  EXPECT_EQ(o.target.host, "::1");
  EXPECT_TRUE(o.streams[0].open_loop());
  EXPECT_DOUBLE_EQ(o.streams[0].rate, 250.5);
  EXPECT_DOUBLE_EQ(o.streams[0].duration_s, 1.5);
  EXPECT_TRUE(o.streams[0].poisson);
}

TEST(RunOptionsTest, NamedStreamsInheritTheFlagsAndOverrideTheirKeys) {
  bench::RunOptions o;
  ASSERT_EQ(run({"--duration", "10", "--stream", "heavy:path=/,conns=4", "--stream",
                 "probe:path=/hi,rate=200,max-conns=50"},
                o)
                .status,
            ParseStatus::ok);
  ASSERT_EQ(o.streams.size(), 2u);
  EXPECT_EQ(o.streams[0].name, "heavy");
  EXPECT_EQ(o.streams[0].conns, 4u);
  EXPECT_DOUBLE_EQ(o.streams[0].duration_s, 10);
  EXPECT_EQ(o.streams[1].name, "probe");
  EXPECT_DOUBLE_EQ(o.streams[1].rate, 200);
  EXPECT_EQ(o.streams[1].max_conns, 50u);
  EXPECT_NE(o.streams[0].seed, o.streams[1].seed);
}

TEST(RunOptionsTest, BadFlagsNameTheBrokenRule) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--bogus"}, "unknown option --bogus"},
      {{"--conns"}, "--conns needs a value"},
      {{"--conns", "0", "--calls", "1"}, "--conns 0: must be an integer from 1"},
      {{"--rate", "fast", "--duration", "1"},
       "--rate fast: must be a number of requests per second"},
      {{"--rate", "10"}, "an open loop (--rate) needs --duration"},
      {{"--rate", "10", "--duration", "1", "--calls", "5"}, "--calls is for a closed loop"},
      {{"--conns", "5"}, "a closed loop needs --calls N or --duration SEC"},
      {{"--duration", "-3", "--conns", "1"}, "--duration -3: must be a duration above 0"},
      {{"--target", "localhost", "--calls", "1"}, "--target localhost: must be HOST:PORT"},
      {{"--target", "h:70000", "--calls", "1"}, "port 1 to 65535"},
      {{"--path", "no-slash", "--calls", "1"}, "--path no-slash: must start with /"},
      {{"--calls", "1", "--stream", "Bad:rate=1"}, "must start with a name"},
      {{"--calls", "1", "--stream", "a:wat=1"}, "unknown key wat"},
      {{"--calls", "1", "--stream", "a:", "--stream", "a:"}, "the name a is taken"},
      {{"--calls", "1", "--poisson"}, "--poisson needs --rate"},
      {{"--quiet=yes", "--calls", "1"}, "--quiet takes no value"},
  };
  for (const auto& [args, expected] : cases) {
    bench::RunOptions o;
    const auto r = run(args, o);
    EXPECT_EQ(r.status, ParseStatus::error) << args[0];
    EXPECT_NE(r.message.find(expected), std::string::npos) << r.message;
  }
  bench::RunOptions o;
  EXPECT_EQ(run({"--help"}, o).status, ParseStatus::help);
}

TEST(ExperimentOptionsTest, ListsSweepAndDefaultsFollowTheMachine) {
  bench::ExperimentOptions e;
  ASSERT_EQ(bench::parse_experiment_options(
                {"--strategies", "thread,process", "--fib", "20,24,28", "--workers", "1,2",
                 "--phase", "2s", "--label", "sweep-1", "--server-arg=--max-queue=8"},
                e)
                .status,
            ParseStatus::ok);
  EXPECT_EQ(e.strategies, (std::vector<std::string>{"thread", "process"}));
  EXPECT_EQ(e.fibs, (std::vector<unsigned>{20, 24, 28}));
  EXPECT_EQ(e.workers, (std::vector<unsigned>{1, 2}));
  EXPECT_DOUBLE_EQ(e.phase_s, 2);
  EXPECT_EQ(e.label, "sweep-1");
  EXPECT_EQ(e.server_args, (std::vector<std::string>{"--max-queue=8"}));
  EXPECT_GE(e.heavy_conns, 2u);  // twice the cores by default

  for (const auto& [args, expected] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--strategies", "inline,Fast"}, "must list strategy names"},
           {{"--strategies", "inline,,thread"}, "must list strategy names"},
           {{"--workload", "gpg", "--fib", "30"}, "--fib is for --workload fib"},
           {{"--payload", "4k"}, "--payload is for --workload gpg"},
           {{"--workload", "gpg", "--payload", "65m"}, "must list sizes from 1 to 64m"},
           {{"--fib", "20,,24"}, "must list integers from 1 to 92"},
           {{"--repeats", "0"}, "--repeats 0: must be an integer from 1"},
           {{"--label", "a b"}, "must be letters, digits"},
           {{"--probe-rate", "0"}, "above 0"}}) {
    bench::ExperimentOptions bad;
    const auto r = bench::parse_experiment_options(args, bad);
    EXPECT_EQ(r.status, ParseStatus::error) << args[0];
    EXPECT_NE(r.message.find(expected), std::string::npos) << r.message;
  }
}

TEST(ExperimentOptionsTest, StrategiesAreCheckedAgainstTheServersList) {
  // Which names exist is the server's to say: parsing takes any name, the experiment checks
  // them against the list it gets from the server it is about to start.
  bench::ExperimentOptions e;
  ASSERT_EQ(bench::parse_experiment_options({"--strategies", "inline,fast"}, e).status,
            ParseStatus::ok);
  const auto listed = testfixture::strategies();
  EXPECT_EQ(bench::check_strategies(e.strategies, listed),
            "--strategies inline,fast: must list inline, thread, process or uvpool (the "
            "strategies the server lists)");
  EXPECT_EQ(bench::check_strategies({"uvpool", "inline"}, listed), "");
  // A server with another list: its names, in its order.
  bench::StrategyRegistry other;
  ASSERT_EQ(
      bench::parse_strategy_list(R"({"strategies":[{"name":"thread","knobs":["workers"]},)"
                                 R"({"name":"async","description":"gpg on the loop","knobs":[]}]})",
                                 other),
      "");
  EXPECT_EQ(bench::check_strategies({"inline"}, other),
            "--strategies inline: must list thread or async (the strategies the server lists)");
}

TEST(ExperimentOptionsTest, GpgWorkloadSweepsPayloadSizes) {
  bench::ExperimentOptions e;
  ASSERT_EQ(bench::parse_experiment_options(
                {"--workload", "gpg", "--payload", "4k,64k,1m,1000", "--strategies", "uvpool"}, e)
                .status,
            ParseStatus::ok);
  EXPECT_EQ(e.workload, "gpg");
  EXPECT_EQ(e.payloads, (std::vector<std::uint64_t>{4096, 65536, 1048576, 1000}));
  EXPECT_EQ(bench::size_label(65536), "64k");
  EXPECT_EQ(bench::size_label(1048576), "1m");
  EXPECT_EQ(bench::size_label(1000), "1000");
}

TEST(DurationTest, AcceptsSecondsAndUnits) {
  double s = 0;
  EXPECT_TRUE(bench::parse_duration("2.5", s));
  EXPECT_DOUBLE_EQ(s, 2.5);
  EXPECT_TRUE(bench::parse_duration("250ms", s));
  EXPECT_DOUBLE_EQ(s, 0.25);
  EXPECT_TRUE(bench::parse_duration("2m", s));
  EXPECT_DOUBLE_EQ(s, 120);
  EXPECT_FALSE(bench::parse_duration("0", s));
  EXPECT_FALSE(bench::parse_duration("ms", s));
  EXPECT_FALSE(bench::parse_duration("nan", s));
  EXPECT_FALSE(bench::parse_duration("1h", s));
}

TEST(UsageTest, HelpStatesUnits) {
  const std::string run_help = bench::run_usage();
  for (const char* unit : {"requests per second", "SEC", "ms", "HOST:PORT"})
    EXPECT_NE(run_help.find(unit), std::string::npos) << unit;
  const std::string exp_help = bench::experiment_usage();
  for (const char* text : {"--probe-rate", "requests per second", "--phase SEC", "RESULTS.md"})
    EXPECT_NE(exp_help.find(text), std::string::npos) << text;
}

}  // namespace
