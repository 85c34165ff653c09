// The strategies an experiment takes from its server: the list's JSON read (and refused when
// malformed), the ratios' baseline and the knob scopes derived from it, the built-in list for
// a server that lists none, and the plan they shape; the JSON reader beneath it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/options.hpp"
#include "experiment/json_value.hpp"
#include "experiment/knobs.hpp"
#include "experiment/plan.hpp"
#include "experiment/strategies.hpp"
#include "harness_strategy_fixture.hpp"

namespace {

std::vector<std::string> names(const bench::StrategyRegistry& r) {
  std::vector<std::string> out;
  for (const auto& s : r.strategies) out.push_back(s.name);
  return out;
}

// Which harness knobs apply to each strategy: "inline: loop-cpu; thread: ...".
std::string scopes(const bench::StrategyRegistry& r) {
  std::string out;
  for (const auto& s : r.strategies) {
    out += s.name + ":";
    for (const auto& k : bench::knob_specs())
      if (bench::knob_applies(k, s, r)) out += std::string(" ") + k.key;
    out += s.has_pool() ? " (pool)" : " (loop)";
    out += "; ";
  }
  return out;
}

TEST(StrategyListTest, TheServersLineIsReadInItsOrder) {
  const auto r = testfixture::strategies();
  EXPECT_EQ(r.source, "server");
  EXPECT_EQ(names(r), (std::vector<std::string>{"inline", "thread", "process", "uvpool"}));
  EXPECT_EQ(r.names_text(), "inline, thread, process or uvpool");
  ASSERT_NE(r.find("process"), nullptr);
  EXPECT_FALSE(r.find("process")->workload_in_server);
  EXPECT_TRUE(r.find("thread")->workload_in_server);
  EXPECT_EQ(r.find("fork"), nullptr);
  // The baseline of the "x inline" ratios: the strategy without a pool.
  ASSERT_NE(r.loop_strategy(), nullptr);
  EXPECT_EQ(r.loop_strategy()->name, "inline");
}

TEST(StrategyListTest, KnobScopesAreTodaysAndTheBuiltInListAgrees) {
  // A knob no strategy lists (the loop's CPU) is a server-wide flag: it applies to all.
  const std::string expected =
      "inline: loop-cpu (loop); "
      "thread: worker-nice worker-policy loop-cpu worker-cpus max-queue (pool); "
      "process: worker-nice worker-policy loop-cpu worker-cpus min-workers max-workers "
      "worker-idle-timeout max-jobs-per-worker max-queue (pool); "
      "uvpool: worker-nice worker-policy loop-cpu worker-cpus max-queue (pool); ";
  EXPECT_EQ(scopes(testfixture::strategies()), expected);
  const auto builtin = bench::builtin_strategies();
  EXPECT_EQ(builtin.source, "built-in");
  EXPECT_EQ(scopes(builtin), expected);
  EXPECT_EQ(names(builtin), names(testfixture::strategies()));
}

TEST(StrategyListTest, MeaningsTheHarnessDoesNotKnowAreIgnoredAndMalformedListsRefused) {
  bench::StrategyRegistry r;
  // Unknown members and flags are kept as given, and harmless.
  ASSERT_EQ(bench::parse_strategy_list(
                R"({"strategies":[{"name":"async","knobs":["gpg-only"],"extra":1}],"v":2})", r),
            "");
  EXPECT_EQ(r.loop_strategy()->name, "async");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"unknown option --list-strategies", "not JSON"},
      {R"({"strategy":[]})", "no \"strategies\" array"},
      {R"({"strategies":[]})", "an empty list"},
      {R"({"strategies":[{"knobs":[]}]})", "without a name"},
      {R"({"strategies":[{"name":"Big","knobs":[]}]})", "without a name"},
      {R"({"strategies":[{"name":"a-b","knobs":[]}]})", "without a name"},
      {R"({"strategies":[{"name":"a","knobs":[]},{"name":"a","knobs":[]}]})", "twice"},
      {R"({"strategies":[{"name":"a"}]})", "no \"knobs\" array"},
      {R"({"strategies":[{"name":"a","knobs":[1]}]})", "not a string"},
  };
  for (const auto& [text, why] : bad) {
    bench::StrategyRegistry untouched = testfixture::strategies();
    const std::string err = bench::parse_strategy_list(text, untouched);
    EXPECT_NE(err.find(why), std::string::npos) << text << ": " << err;
    EXPECT_EQ(untouched.strategies.size(), 4u) << "a refused list leaves the old one";
  }
}

TEST(StrategyListTest, MetaJsonRecordsTheListAsTheServerGaveIt) {
  const auto r = testfixture::strategies();
  bench::StrategyRegistry again;
  ASSERT_EQ(bench::parse_strategy_list("{\"strategies\":" + r.json() + "}", again), "");
  ASSERT_EQ(names(again), names(r));
  for (std::size_t i = 0; i < r.strategies.size(); ++i) {
    EXPECT_EQ(again.strategies[i].knobs, r.strategies[i].knobs);
    EXPECT_EQ(again.strategies[i].description, r.strategies[i].description);
    EXPECT_EQ(again.strategies[i].workload_in_server, r.strategies[i].workload_in_server);
  }
}

TEST(StrategyPlanTest, AStrategyWithoutAPoolRunsOnceWithOneWorkerWhateverItsName) {
  bench::ExperimentOptions o;
  ASSERT_EQ(bench::parse_experiment_options({"--strategies", "async,thread", "--workers", "1,2"}, o)
                .status,
            bench::ParseStatus::ok);
  bench::StrategyRegistry r;
  ASSERT_EQ(bench::parse_strategy_list(
                R"({"strategies":[{"name":"thread","knobs":["workers","worker-nice"]},)"
                R"({"name":"async","knobs":[]}]})",
                r),
            "");
  const bench::Plan plan = bench::make_plan(o, r);
  ASSERT_EQ(plan.configs.size(), 3u);
  EXPECT_EQ(plan.configs[0].label, "async-fib30-w1");
  EXPECT_FALSE(plan.configs[0].pool);
  EXPECT_EQ(plan.configs[1].label, "thread-fib30-w1");
  EXPECT_TRUE(plan.configs[2].pool);
  EXPECT_EQ(plan.configs[2].workers, 2u);
}

TEST(JsonReaderTest, ReadsDocumentsAndNamesWhatIsWrong) {
  const auto v = bench::json::parse(
      R"( {"a": [1, -2.5e1, true, false, null], "s": "q\"\\\/\n\u00e9\ud83d\ude00", "o": {}} )");
  ASSERT_TRUE(v.has_value());
  const auto* a = v->get("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->items.size(), 5u);
  EXPECT_DOUBLE_EQ(a->items[1].number, -25);
  EXPECT_TRUE(a->items[2].boolean);
  EXPECT_TRUE(a->items[4].is(bench::json::Value::Kind::null));
  EXPECT_EQ(v->get("s")->text, "q\"\\/\n\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_TRUE(v->get("o")->is(bench::json::Value::Kind::object));
  EXPECT_EQ(v->get("missing"), nullptr);
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "\"open", "tru", "1 2", "{\"a\":1,}",
                          "\"tab\there\"", "nan"}) {
    std::string error;
    EXPECT_FALSE(bench::json::parse(bad, &error).has_value()) << bad;
    EXPECT_NE(error.find("at byte"), std::string::npos) << bad << ": " << error;
  }
  std::string deep(100, '[');
  EXPECT_FALSE(bench::json::parse(deep + std::string(100, ']')).has_value());
}

}  // namespace
