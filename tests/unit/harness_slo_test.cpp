// SLO thresholds: the k6-like grammar with units and its error lines, the check of each
// objective against what a stream measured (a figure not measured fails), and which
// configuration the exit status speaks for.
#include <gtest/gtest.h>

#include <cmath>

#include "experiment/choice.hpp"
#include "experiment/slo.hpp"
#include "stats/histogram.hpp"

namespace {

bench::Slo slo(const std::string& text) {
  bench::Slo s;
  const std::string err = bench::parse_slo(text, s);
  EXPECT_EQ(err, "") << text;
  return s;
}

TEST(SloParseTest, StreamsMetricsOperatorsAndUnits) {
  bench::Slo s = slo("hi.p99<2ms");
  EXPECT_EQ(s.stream, "probe");
  EXPECT_EQ(s.metric, bench::SloMetric::p99);
  EXPECT_EQ(s.op, bench::SloOp::lt);
  EXPECT_DOUBLE_EQ(s.bound, 2);
  EXPECT_EQ(s.text, "hi.p99<2ms");
  s = slo("heavy.rps >= 1000");
  EXPECT_EQ(s.stream, "heavy");
  EXPECT_EQ(s.metric, bench::SloMetric::rps);
  EXPECT_EQ(s.op, bench::SloOp::ge);
  EXPECT_DOUBLE_EQ(s.bound, 1000);
  EXPECT_EQ(s.text, "heavy.rps>=1000");
  EXPECT_DOUBLE_EQ(slo("probe.p50<=500us").bound, 0.5);
  EXPECT_DOUBLE_EQ(slo("hi.max<1.5s").bound, 1500);
  EXPECT_DOUBLE_EQ(slo("hi.mean<3").bound, 3);  // no unit: ms, as in k6
  EXPECT_EQ(slo("hi.p99.9<5ms").metric, bench::SloMetric::p999);
  EXPECT_EQ(slo("hi.p999<5ms").metric, bench::SloMetric::p999);
  EXPECT_EQ(slo("heavy.p90>1ms").op, bench::SloOp::gt);
  EXPECT_DOUBLE_EQ(slo("hi.error_rate<1%").bound, 0.01);
  EXPECT_DOUBLE_EQ(slo("hi.error_rate<=0.05").bound, 0.05);
  EXPECT_DOUBLE_EQ(slo("heavy.errors<=0").bound, 0);
  EXPECT_DOUBLE_EQ(slo("heavy.rps>250rps").bound, 250);
}

TEST(SloParseTest, BadObjectivesNameTheBrokenRule) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"hi.p99", "must be STREAM.METRIC<VALUE"},
      {"api.p99<2ms", "the stream must be hi (or probe) or heavy"},
      {"hi.p42<2ms", "the metric must be p50, p90"},
      {"hi<2ms", "the metric must be"},
      {"hi.p99<fast", "the bound must be a duration"},
      {"hi.p99<-1ms", "the bound must be a duration"},
      {"heavy.rps>many", "requests per second"},
      {"hi.error_rate<2", "a fraction from 0 to 1"},
      {"hi.error_rate<150%", "a fraction from 0 to 1"},
  };
  for (const auto& [text, message] : cases) {
    bench::Slo s;
    const std::string err = bench::parse_slo(text, s);
    EXPECT_NE(err.find(message), std::string::npos) << text << ": " << err;
  }
}

bench::StreamFigures figures(std::uint64_t n, std::uint64_t micros, std::uint64_t slow_micros,
                             double rps, std::uint64_t errors) {
  bench::Histogram h;
  for (std::uint64_t i = 0; i < n; ++i) h.record(i + 1 < n ? micros : slow_micros);
  bench::StreamFigures f;
  f.latency = bench::summarize(h);
  f.rps = rps;
  f.count = n;
  f.errors = errors;
  return f;
}

TEST(SloCheckTest, EachObjectiveAgainstTheStreamItNames) {
  // 200 answers at 1 ms and one slow one: p99 1 ms, max 50 ms.
  const std::map<std::string, bench::StreamFigures> streams = {
      {"probe", figures(200, 1000, 50000, 200, 2)}, {"heavy", figures(50, 4000, 4000, 800, 0)}};
  const auto out =
      bench::evaluate_slos({slo("hi.p99<2ms"), slo("hi.max<10ms"), slo("heavy.rps>=1000"),
                            slo("hi.errors<=2"), slo("hi.error_rate<1%")},
                           streams);
  ASSERT_EQ(out.checks.size(), 5u);
  EXPECT_TRUE(out.checks[0].pass);
  EXPECT_NEAR(out.checks[0].value, 1.0, 0.01);
  EXPECT_FALSE(out.checks[1].pass);
  EXPECT_DOUBLE_EQ(out.checks[1].value, 50);
  EXPECT_FALSE(out.checks[2].pass);
  EXPECT_TRUE(out.checks[3].pass);
  EXPECT_TRUE(out.checks[4].pass);  // 2 of 202
  EXPECT_NEAR(out.checks[4].value, 2.0 / 202, 1e-9);
  EXPECT_FALSE(out.pass);
  EXPECT_EQ(out.detail,
            "hi.p99<2ms: 1ms pass; hi.max<10ms: 50.0ms fail; heavy.rps>=1000: 800.0 fail; "
            "hi.errors<=2: 2 pass; hi.error_rate<1%: 0.99% pass");
}

TEST(SloCheckTest, AFigureNotMeasuredFails) {
  // 50 answers: too few for a p99. A missing stream has no figures at all.
  const std::map<std::string, bench::StreamFigures> streams = {
      {"probe", figures(50, 1000, 1000, 200, 0)}};
  const auto out = bench::evaluate_slos({slo("hi.p99<1s"), slo("heavy.rps>0")}, streams);
  EXPECT_TRUE(std::isnan(out.checks[0].value));
  EXPECT_FALSE(out.checks[0].pass);
  EXPECT_FALSE(out.checks[1].pass);
  EXPECT_EQ(out.detail, "hi.p99<1s: n/a fail; heavy.rps>0: n/a fail");
  EXPECT_TRUE(bench::evaluate_slos({}, streams).pass);
}

TEST(ChoiceTest, TheOnlyTheChosenOrTheBestPassingConfiguration) {
  auto outcome = [](unsigned checked, unsigned passed, double rps) {
    bench::ConfigOutcome o;
    o.repeats_checked = checked;
    o.repeats_passed = passed;
    o.heavy_rps = rps;
    return o;
  };
  const std::vector<std::string> labels = {"inline", "thread", "process", "uvpool"};
  // One repeat of two failed: the configuration fails, however fast it was.
  const std::vector<bench::ConfigOutcome> all = {outcome(2, 2, 100), outcome(2, 1, 900),
                                                 outcome(2, 2, 500), outcome(2, 2, 300)};
  auto c = bench::choose_config(all, labels, "");
  ASSERT_TRUE(c.config.has_value());
  EXPECT_EQ(*c.config, 2u);
  EXPECT_TRUE(c.pass);
  c = bench::choose_config(all, labels, "thread");
  EXPECT_EQ(*c.config, 1u);
  EXPECT_FALSE(c.pass);
  EXPECT_EQ(c.why, "given with --choose");
  c = bench::choose_config({outcome(1, 0, 100)}, {"only"}, "");
  EXPECT_EQ(*c.config, 0u);
  EXPECT_FALSE(c.pass);
  c = bench::choose_config({outcome(1, 0, 100), outcome(1, 0, 200)}, {"a", "b"}, "");
  EXPECT_FALSE(c.config.has_value());
  EXPECT_FALSE(c.pass);
  // Not measured (an interrupted run) never passes.
  c = bench::choose_config({outcome(0, 0, NAN)}, {"a"}, "");
  EXPECT_FALSE(c.pass);
}

TEST(ChoiceTest, JobSizesAreNotRankedAgainstEachOther) {
  auto outcome = [](unsigned passed, double rps) {
    bench::ConfigOutcome o;
    o.repeats_checked = 1;
    o.repeats_passed = passed;
    o.heavy_rps = rps;
    return o;
  };
  const std::vector<std::string> labels = {"thread-fib20", "process-fib20", "thread-fib30",
                                           "process-fib30"};
  const std::vector<std::string> sizes = {"fib20", "fib20", "fib30", "fib30"};
  // fib20 does more jobs whatever the strategy: ranking across sizes would always pick it.
  auto c = bench::choose_config(
      {outcome(1, 5000), outcome(1, 6000), outcome(1, 400), outcome(1, 300)}, labels, "", sizes);
  ASSERT_EQ(c.per_size.size(), 2u);
  EXPECT_EQ(c.per_size[0].second, std::optional<std::size_t>(1));
  EXPECT_EQ(c.per_size[1].second, std::optional<std::size_t>(2));
  EXPECT_TRUE(c.pass);
  EXPECT_NE(c.why.find("fib30 thread-fib30"), std::string::npos) << c.why;
  // A size where nothing passed fails the run, though the other size has a best.
  c = bench::choose_config({outcome(1, 5000), outcome(1, 6000), outcome(0, 400), outcome(0, 300)},
                           labels, "", sizes);
  EXPECT_FALSE(c.pass);
  EXPECT_EQ(c.per_size[1].second, std::nullopt);
  // --choose still names one configuration, whatever its size.
  c = bench::choose_config({outcome(1, 5000), outcome(1, 6000), outcome(1, 400), outcome(1, 300)},
                           labels, "process-fib30", sizes);
  EXPECT_EQ(*c.config, 3u);
  EXPECT_TRUE(c.per_size.empty());
}

}  // namespace
