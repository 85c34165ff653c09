// Knob sweeps: --sweep parses into canonical values or names the broken rule, the plan is the
// cross product with readable labels, a knob that means nothing for a strategy is neither
// passed nor labelled, every configuration records the knobs in force, and what the server
// reports is compared with what was asked.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/options.hpp"
#include "experiment/knobs.hpp"
#include "experiment/plan.hpp"
#include "experiment/results_schema.hpp"
#include "experiment/server_knobs.hpp"
#include "harness_strategy_fixture.hpp"

namespace {

using bench::ParseStatus;

bench::ParseResult parse(std::vector<std::string> args, bench::ExperimentOptions& out) {
  return bench::parse_experiment_options(args, out);
}

std::vector<std::string> labels(const bench::Plan& plan) {
  std::vector<std::string> out;
  for (const auto& c : plan.configs) out.push_back(c.label);
  return out;
}

// The value a configuration records for one knob column.
std::string knob(const bench::ServerConfig& c, const std::string& column) {
  const auto& specs = bench::knob_specs();
  for (std::size_t i = 0; i < specs.size(); ++i)
    if (column == specs[i].column) return c.knobs.at(i);
  ADD_FAILURE() << "no knob column " << column;
  return {};
}

TEST(SweepOptionsTest, KnobSweepsKeepTheirOrderAndAxesSetTheirLists) {
  bench::ExperimentOptions o;
  ASSERT_EQ(parse({"--sweep", "worker-nice=0,5,19", "--sweep=strategy=thread,process", "--sweep",
                   "worker-policy=idle", "--sweep", "fib=20,25"},
                  o)
                .status,
            ParseStatus::ok);
  EXPECT_EQ(o.strategies, (std::vector<std::string>{"thread", "process"}));
  EXPECT_EQ(o.fibs, (std::vector<unsigned>{20, 25}));
  ASSERT_EQ(o.sweeps.size(), 2u);
  EXPECT_EQ(o.sweeps[0].key, "worker-nice");
  EXPECT_EQ(o.sweeps[0].values, (std::vector<std::string>{"0", "5", "19"}));
  EXPECT_EQ(o.sweeps[1].key, "worker-policy");
  EXPECT_EQ(o.sweeps[1].values, (std::vector<std::string>{"idle"}));
}

TEST(SweepOptionsTest, ValuesAreCanonical) {
  bench::ExperimentOptions o;
  ASSERT_EQ(parse({"--sweep", "loop-cpu=none,0", "--sweep", "worker-cpus=0+0,0-0,all", "--sweep",
                   "worker-idle-timeout=500ms,2", "--sweep", "worker-nice=-5"},
                  o)
                .status,
            ParseStatus::ok);
  EXPECT_EQ(o.sweeps[0].values, (std::vector<std::string>{"", "0"}));
  EXPECT_EQ(o.sweeps[1].values, (std::vector<std::string>{"0,0", "0-0", ""}));
  EXPECT_EQ(o.sweeps[2].values, (std::vector<std::string>{"0.5", "2"}));
  EXPECT_EQ(o.sweeps[3].values, (std::vector<std::string>{"-5"}));
}

TEST(SweepOptionsTest, BadSweepsNameTheBrokenRule) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--sweep", "worker-nice"}, "must be KEY=V1,V2"},
      {{"--sweep", "worker-nice="}, "must be KEY=V1,V2"},
      {{"--sweep", "nice=1"}, "unknown key nice (strategy, workers, fib, payload, worker-nice"},
      {{"--sweep", "worker-nice=0,20"}, "worker-nice 20: must be an integer from -20 to 19"},
      {{"--sweep", "worker-policy=fifo"}, "must be normal, batch or idle"},
      {{"--sweep", "loop-cpu=4096"}, "must be a CPU from 0 to"},
      {{"--sweep", "worker-cpus=1-0"}, "must be a CPU list like 1 or 0-1"},
      {{"--sweep", "max-queue=-1"}, "must be an integer from 0 to 1000000"},
      {{"--sweep", "strategy=inline,Fast"}, "must list strategy names"},
      {{"--sweep", "worker-nice=0", "--sweep", "worker-nice=19"}, "worker-nice is swept twice"},
      {{"--sweep", "worker-nice=0,19", "--server-arg=--worker-nice=5"}, "is also swept"},
      {{"--server-arg", "--worker-policy", "--server-arg", "rt"}, "must be normal, batch or idle"},
      {{"--workload", "gpg", "--sweep", "fib=20"}, "--fib is for --workload fib"},
      {{"--sweep", "payload=4k"}, "--payload is for --workload gpg"},
      {{"--choose", "thread-fib30-w2"}, "needs at least one --slo"},
  };
  for (const auto& [args, message] : cases) {
    bench::ExperimentOptions o;
    const auto r = parse(args, o);
    EXPECT_EQ(r.status, ParseStatus::error) << args[0] << " " << args[1];
    EXPECT_NE(r.message.find(message), std::string::npos) << r.message;
  }
}

TEST(SweepPlanTest, CrossProductWithReadableLabelsAndInlineOnce) {
  bench::ExperimentOptions o;
  ASSERT_EQ(parse({"--strategies", "inline,thread", "--fib", "30", "--workers", "2", "--sweep",
                   "worker-nice=0,19", "--sweep", "loop-cpu=none,0"},
                  o)
                .status,
            ParseStatus::ok);
  const bench::Plan plan = bench::make_plan(o, testfixture::strategies());
  EXPECT_EQ(labels(plan), (std::vector<std::string>{
                              "inline-fib30-w1-loopany", "inline-fib30-w1-loop0",
                              "thread-fib30-w2-nice0-loopany", "thread-fib30-w2-nice0-loop0",
                              "thread-fib30-w2-nice19-loopany", "thread-fib30-w2-nice19-loop0"}));
  EXPECT_EQ(bench::check_plan(plan), "");
  // inline has no workers: no nice is passed to it, and its column is empty.
  EXPECT_EQ(plan.configs[1].knob_args, (std::vector<std::string>{"--loop-cpu", "0"}));
  EXPECT_EQ(knob(plan.configs[1], "worker_nice"), "");
  EXPECT_EQ(knob(plan.configs[1], "loop_cpu"), "0");
  EXPECT_EQ(plan.configs[4].knob_args, (std::vector<std::string>{"--worker-nice", "19"}));
  EXPECT_EQ(knob(plan.configs[4], "worker_nice"), "19");
  EXPECT_EQ(knob(plan.configs[4], "loop_cpu"), "");
  EXPECT_EQ(knob(plan.configs[4], "worker_policy"), "normal");  // the default, recorded
  EXPECT_EQ(knob(plan.configs[4], "max_queue"), "128");
  EXPECT_EQ(knob(plan.configs[4], "min_workers"), "");  // process only
}

TEST(SweepPlanTest, ProcessPoolKnobsOnlyForProcessAndSizesResolvedLikeTheServer) {
  bench::ExperimentOptions o;
  ASSERT_EQ(parse({"--strategies", "thread,process", "--workers", "2", "--sweep", "max-workers=4",
                   "--sweep", "max-jobs-per-worker=0,100", "--server-arg", "--worker-policy",
                   "--server-arg", "idle"},
                  o)
                .status,
            ParseStatus::ok);
  const bench::Plan plan = bench::make_plan(o, testfixture::strategies());
  EXPECT_EQ(labels(plan),
            (std::vector<std::string>{"thread-fib30-w2", "process-fib30-w2-max4-recycle0",
                                      "process-fib30-w2-max4-recycle100"}));
  EXPECT_TRUE(plan.configs[0].knob_args.empty());
  EXPECT_EQ(knob(plan.configs[0], "max_jobs_per_worker"), "");
  EXPECT_EQ(knob(plan.configs[0], "worker_policy"), "idle");  // from --server-arg
  EXPECT_EQ(knob(plan.configs[2], "min_workers"), "2");       // --workers
  EXPECT_EQ(knob(plan.configs[2], "max_workers"), "4");
  EXPECT_EQ(knob(plan.configs[2], "max_jobs_per_worker"), "100");
  EXPECT_EQ(plan.configs[2].knob_args,
            (std::vector<std::string>{"--max-workers", "4", "--max-jobs-per-worker", "100"}));
}

TEST(SweepPlanTest, RefusedCombinationsAndUnknownChoiceStopThePlan) {
  bench::ExperimentOptions o;
  ASSERT_EQ(
      parse({"--strategies", "process", "--sweep", "min-workers=1,3", "--sweep", "max-workers=2"},
            o)
          .status,
      ParseStatus::ok);
  EXPECT_NE(bench::check_plan(bench::make_plan(o, testfixture::strategies()))
                .find("--min-workers 3 is above --max-workers 2"),
            std::string::npos);
  bench::ExperimentOptions c;
  ASSERT_EQ(parse({"--strategies", "thread", "--workers", "2", "--slo", "hi.p99<2ms", "--choose",
                   "thread-fib30-w9"},
                  c)
                .status,
            ParseStatus::ok);
  EXPECT_EQ(bench::check_plan(bench::make_plan(c, testfixture::strategies())),
            "--choose thread-fib30-w9: no such configuration (thread-fib30-w2)");
  c.choose = "thread-fib30-w2";
  EXPECT_EQ(bench::check_plan(bench::make_plan(c, testfixture::strategies())), "");
}

TEST(SweepPlanTest, LabelsHoldNoCommas) {
  const bench::KnobSpec* cpus = bench::find_knob("worker-cpus");
  ASSERT_NE(cpus, nullptr);
  EXPECT_EQ(bench::knob_label(*cpus, "0,2-3"), "wcpu0.2-3");
  EXPECT_EQ(bench::knob_label(*cpus, ""), "wcpuall");
  EXPECT_EQ(bench::knob_label(*bench::find_knob("worker-policy"), "idle"), "sched-idle");
  EXPECT_EQ(bench::knob_label(*bench::find_knob("worker-idle-timeout"), "0.5"), "idle0.5s");
  EXPECT_EQ(bench::knob_args(*cpus, ""), std::vector<std::string>{});
}

TEST(SweepPlanTest, KnobTableMatchesTheSchemasKnobColumns) {
  std::vector<std::string> columns;
  for (const auto& k : bench::knob_specs()) columns.emplace_back(k.column);
  EXPECT_EQ(columns, bench::schema::group("knobs"));
  EXPECT_EQ(bench::schema::group("knob_notes"), std::vector<std::string>{"knobs_refused"});
}

TEST(ServerKnobsTest, RefusalsAndMismatchesAreReported) {
  bench::ExperimentOptions o;
  ASSERT_EQ(parse({"--strategies", "process", "--workers", "2", "--sweep", "worker-nice=19",
                   "--sweep", "worker-cpus=0+0"},
                  o)
                .status,
            ParseStatus::ok);
  const bench::ServerConfig c = bench::make_plan(o, testfixture::strategies()).configs.at(0);
  auto reported = [](const std::string& labels) {
    return bench::server_knobs(bench::Scrape(
        bench::parse_prometheus("# HELP offload_knobs ...\noffload_knobs{" + labels + "} 1\n")));
  };
  const auto same = reported(
      "worker_nice=\"19\",worker_policy=\"normal\",loop_cpu=\"\",worker_cpus=\"0\","
      "workers=\"2\",max_jobs_per_worker=\"0\",refused=\"\"");
  EXPECT_TRUE(same.reported);
  EXPECT_EQ(bench::refused_text(same, c), "");
  const auto refused = reported(
      "worker_nice=\"0\",worker_policy=\"normal\",loop_cpu=\"\",worker_cpus=\"0\","
      "workers=\"1-2\",max_jobs_per_worker=\"0\",refused=\"nice 19 refused: EPERM\"");
  EXPECT_EQ(bench::refused_text(refused, c),
            "nice 19 refused: EPERM; server reports worker_nice=0, asked 19, workers=1-2, asked 2");
  const auto silent = bench::server_knobs(bench::Scrape(bench::parse_prometheus("up 1\n")));
  EXPECT_FALSE(silent.reported);
  EXPECT_EQ(bench::refused_text(silent, c), "");
}

}  // namespace
