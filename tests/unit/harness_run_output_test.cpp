// `offload-bench run`'s machine-readable outputs, from streams filled by hand: the --json
// document (it parses, and says what the streams measured), stream roles and the options that
// rely on them, the server's identity from /metrics, the run's phase, rows built by column
// name, and --slo checked by role.
#include <gtest/gtest.h>
#include <uv.h>

#include <cmath>

#include "cli/options.hpp"
#include "cli/version.hpp"
#include "experiment/json_value.hpp"
#include "experiment/results_schema.hpp"
#include "experiment/run_folder.hpp"
#include "experiment/run_output.hpp"
#include "experiment/stream_role.hpp"

namespace {

using bench::json::Value;

// A stream that sends nothing: the test records its answers and sets its times.
class FilledStream final : public bench::Stream, private bench::StreamListener {
 public:
  FilledStream(uv_loop_t* loop, const bench::StreamSpec& spec)
      : bench::Stream(loop, bench::Target{}, spec, static_cast<bench::StreamListener&>(*this)) {}
  void times(std::uint64_t start_ns, std::uint64_t end_ns) {
    start_ns_ = start_ns;
    end_ns_ = end_ns;
  }

 private:
  bool counts_in_drain() const override { return false; }
  void begin() override {}
  void connection_free(bench::Connection&) override {}
  void stream_ready(bench::Stream&) override {}
  void stream_finished(bench::Stream&) override {}
  void stream_drained(bench::Stream&) override {}
  void stream_fatal(bench::Stream&, const std::string&) override {}
};

bench::StreamSpec spec(const std::string& name, const std::string& path, double rate = 0) {
  bench::StreamSpec s;
  s.name = name;
  s.path = path;
  s.duration_s = 2;
  s.rate = rate;
  return s;
}

class RunOutputTest : public ::testing::Test {
 protected:
  void SetUp() override { uv_loop_init(&loop_); }
  void TearDown() override {
    streams_.clear();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }

  // heavy: 400 answers of 10..409 ms over 2 s and 3 errors; probe: 1000 answers of 1 ms
  // (the last twenty of 50 ms), open loop at 500/s.
  bench::RunFacts facts() {
    options_.streams = {spec("heavy", "/"), spec("probe", "/hi", 500)};
    options_.command = {"offload-bench", "--json", "-"};
    streams_.clear();
    for (const auto& s : options_.streams)
      streams_.push_back(std::make_unique<FilledStream>(&loop_, s));
    const std::uint64_t t0 = 1'000'000'000;
    for (std::uint64_t i = 0; i < 400; ++i)
      streams_[0]->stats().success(t0 + (10 + i) * 1000 * 1000, t0, t0);
    streams_[0]->stats().error("timeout");
    streams_[0]->stats().error("status_503");
    streams_[0]->stats().error("status_503");
    for (std::uint64_t i = 0; i < 1000; ++i)
      streams_[1]->stats().success(t0 + (i < 980 ? 1000 : 50'000) * 1000, t0, t0);
    bench::RunFacts f;
    f.options = &options_;
    f.started = "2024-05-01T12:00:00Z";
    f.ended = "2024-05-01T12:00:02Z";
    f.start_ns = t0;
    f.end_ns = t0 + 2'000'000'000;
    for (auto& s : streams_) {
      s->times(t0, t0 + 2'000'000'000);
      bench::RunStream rs;
      rs.stream = s.get();
      rs.role = bench::stream_role(s->spec());
      rs.answered_while_sending = static_cast<double>(s->stats().count());
      f.streams.push_back(std::move(rs));
    }
    return f;
  }

  uv_loop_t loop_;
  bench::RunOptions options_;
  std::vector<std::unique_ptr<FilledStream>> streams_;
};

const Value& member(const Value& v, const char* key) {
  static const Value missing;
  const Value* m = v.get(key);
  EXPECT_NE(m, nullptr) << key;
  return m ? *m : missing;
}

TEST_F(RunOutputTest, JsonDocumentParsesAndSaysWhatTheStreamsMeasured) {
  bench::RunFacts f = facts();
  f.slo = bench::check_run_slos({}, f.streams);
  std::string error;
  const auto doc = bench::json::parse(bench::run_json(f), &error);
  ASSERT_TRUE(doc) << error;
  EXPECT_EQ(member(*doc, "kind").text, "run");
  EXPECT_EQ(member(*doc, "status").text, "complete");
  EXPECT_EQ(member(*doc, "offload_bench").text, bench::version_number());
  EXPECT_DOUBLE_EQ(member(*doc, "duration_s").number, 2.0);
  EXPECT_EQ(member(*doc, "command").items.size(), 3u);
  EXPECT_TRUE(member(*doc, "server").is(Value::Kind::null));
  EXPECT_TRUE(member(member(*doc, "machine"), "cores").is(Value::Kind::number));
  EXPECT_FALSE(member(member(*doc, "versions"), "libuv").text.empty());
  EXPECT_EQ(member(member(*doc, "params"), "streams").items.size(), 2u);

  const auto& streams = member(*doc, "streams").items;
  ASSERT_EQ(streams.size(), 2u);
  const Value& heavy = streams[0];
  EXPECT_EQ(member(heavy, "role").text, "heavy");
  EXPECT_EQ(member(heavy, "count").number, 400);
  EXPECT_EQ(member(heavy, "errors").number, 3);
  EXPECT_EQ(member(member(heavy, "errors_by_class"), "status_503").number, 2);
  EXPECT_EQ(member(member(heavy, "errors_by_class"), "timeout").number, 1);
  EXPECT_DOUBLE_EQ(member(heavy, "rate_rps").number, 200);
  EXPECT_TRUE(member(heavy, "achieved_rps").is(Value::Kind::null));  // a closed loop
  const Value& latency = member(heavy, "latency_ms");
  EXPECT_NEAR(member(member(latency, "p50"), "value").number, 209, 209 * 0.005);
  // Every percentile carries its interval, around its value.
  for (const char* p : {"p50", "p90", "p95", "p99"}) {
    const Value& e = member(latency, p);
    EXPECT_LE(member(e, "lo").number, member(e, "value").number) << p;
    EXPECT_GE(member(e, "hi").number, member(e, "value").number) << p;
  }
  // 400 answers: no p99.9, and no upper bound for the p99 (stats/quantile_ci.hpp): null, not
  // a made-up number.
  EXPECT_TRUE(member(member(latency, "p999"), "value").is(Value::Kind::null));
  EXPECT_TRUE(member(member(latency, "p99"), "value").is(Value::Kind::number));

  const Value& probe = streams[1];
  EXPECT_EQ(member(probe, "role").text, "probe");
  EXPECT_DOUBLE_EQ(member(probe, "offered_rps").number, 500);
  EXPECT_DOUBLE_EQ(member(probe, "achieved_rps").number, 500);
  EXPECT_NEAR(member(member(member(probe, "latency_ms"), "p99"), "value").number, 50, 0.5);
  EXPECT_TRUE(member(probe, "lateness_ms").is(Value::Kind::object));
  EXPECT_TRUE(member(member(*doc, "slo"), "pass").boolean);  // no objectives: nothing failed
}

TEST_F(RunOutputTest, ObjectivesAreCheckedOnTheStreamOfTheirRole) {
  bench::RunFacts f = facts();
  std::vector<bench::Slo> slos(3);
  ASSERT_EQ(bench::parse_slo("hi.p99<60ms", slos[0]), "");
  ASSERT_EQ(bench::parse_slo("heavy.rps>=200", slos[1]), "");
  ASSERT_EQ(bench::parse_slo("probe.p50<0.5ms", slos[2]), "");
  const bench::SloOutcome out = bench::check_run_slos(slos, f.streams);
  ASSERT_EQ(out.checks.size(), 3u);
  EXPECT_TRUE(out.checks[0].pass);
  EXPECT_TRUE(out.checks[1].pass);
  EXPECT_FALSE(out.checks[2].pass);
  EXPECT_FALSE(out.pass);
  const std::string report = bench::slo_report(slos, out);
  EXPECT_NE(report.find("slo hi.p99<60ms: "), std::string::npos) << report;
  EXPECT_NE(report.find("1 of 3 objectives failed: probe.p50<0.5ms (1"), std::string::npos)
      << report;
}

TEST(StreamRoleTest, ByNameThenByPath) {
  EXPECT_EQ(bench::stream_role(spec("heavy", "/hi")), "heavy");
  EXPECT_EQ(bench::stream_role(spec("probe", "/")), "probe");
  EXPECT_EQ(bench::stream_role(spec("hi", "/")), "probe");
  EXPECT_EQ(bench::stream_role(spec("main", "/hi")), "probe");
  EXPECT_EQ(bench::stream_role(spec("main", "/hi?x=1")), "probe");
  EXPECT_EQ(bench::stream_role(spec("main", "/history")), "heavy");
  EXPECT_EQ(bench::stream_role(spec("main", "/?n=25")), "heavy");
  EXPECT_EQ(bench::duplicate_role({spec("a", "/"), spec("probe", "/hi")}), "");
  EXPECT_NE(bench::duplicate_role({spec("a", "/"), spec("b", "/?n=3")}).find("two streams are"),
            std::string::npos);
}

TEST(RunOptionsOutputTest, JsonCsvAndObjectives) {
  bench::RunOptions o;
  ASSERT_EQ(bench::parse_run_options({"--duration", "1", "--stream", "heavy:path=/", "--stream",
                                      "probe:path=/hi,rate=100", "--json", "-", "--csv", "out/r",
                                      "--slo", "hi.p99<5ms", "--slo", "heavy.rps>10"},
                                     o)
                .status,
            bench::ParseStatus::ok);
  EXPECT_EQ(o.json_path, "-");
  EXPECT_EQ(o.csv_dir, "out/r");
  ASSERT_EQ(o.slos.size(), 2u);
  EXPECT_EQ(o.slos[0].stream, "probe");
  // A plain run's one stream takes its role from its path.
  ASSERT_EQ(bench::parse_run_options(
                {"--rate", "100", "--duration", "1", "--path", "/hi", "--slo", "hi.p99<5ms"}, o)
                .status,
            bench::ParseStatus::ok);

  const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
      {{"--conns", "1", "--calls", "5", "--slo", "hi.p99<5ms"}, "the run has no probe stream"},
      {{"--conns", "1", "--calls", "5", "--slo", "heavy.p99"}, "must be STREAM.METRIC<VALUE"},
      {{"--duration", "1", "--stream", "a:path=/", "--stream", "b:path=/?n=2", "--csv", "d"},
       "--csv: two streams are the heavy"},
      {{"--conns", "1", "--calls", "5", "--json", ""}, "must be a file name"},
      {{"--conns", "1", "--calls", "5", "--csv", "-"}, "must be a directory"},
  };
  for (const auto& [args, message] : bad) {
    const auto r = bench::parse_run_options(args, o);
    EXPECT_EQ(r.status, bench::ParseStatus::error) << args.back();
    EXPECT_NE(r.message.find(message), std::string::npos) << r.message;
  }
}

const char* kOffloadMetrics =
    "# TYPE offload_info gauge\n"
    "offload_info{strategy=\"process\",workers=\"2\",workload=\"fib\",fib=\"30\","
    "max_queue=\"128\"} 1\n"
    "offload_knobs{worker_nice=\"19\",worker_policy=\"idle\",loop_cpu=\"0\",worker_cpus=\"1\","
    "workers=\"1-4\",max_jobs_per_worker=\"0\",max_queue=\"64\",worker_idle_timeout=\"2\","
    "refused=\"nice refused\"} 1\n";

TEST(RunServerTest, AnOffloadServerNamesItsConfigurationAndKnobs) {
  const bench::Scrape scrape(bench::parse_prometheus(kOffloadMetrics));
  bench::RunServer s = bench::identify_server(&scrape, {spec("heavy", "/"), spec("probe", "/hi")});
  EXPECT_TRUE(s.identified);
  EXPECT_EQ(s.config, "process-fib30-w2");
  EXPECT_EQ(s.load_param, "fib");
  EXPECT_EQ(s.load_value, 30u);
  EXPECT_EQ(s.knobs_refused, "nice refused");
  const std::vector<std::string> knobs = {"19", "idle", "0", "1", "1", "4", "2", "0", "64"};
  EXPECT_EQ(s.knobs, knobs);
  // The heavy stream's own job size names the jobs that ran.
  s = bench::identify_server(&scrape, {spec("main", "/?n=25")});
  EXPECT_EQ(s.config, "process-fib25-w2");
  EXPECT_EQ(s.fib, 25u);

  const bench::Scrape gpg(bench::parse_prometheus(
      "offload_info{strategy=\"thread\",workers=\"4\",workload=\"gpg\",fib=\"30\","
      "max_queue=\"128\",payload_bytes=\"65536\"} 1\n"));
  s = bench::identify_server(&gpg, {spec("heavy", "/?bytes=4k")});
  EXPECT_EQ(s.config, "thread-gpg4k-w4");
  EXPECT_EQ(s.payload_bytes, 4096u);
  EXPECT_FALSE(s.fib);
}

TEST(RunServerTest, AnyOtherServerIsExternalWithNothingGuessed) {
  const bench::Scrape other(bench::parse_prometheus("http_requests_total 5\n"));
  for (const bench::Scrape* scrape : {&other, static_cast<const bench::Scrape*>(nullptr)}) {
    const bench::RunServer s = bench::identify_server(scrape, {spec("heavy", "/?n=20")});
    EXPECT_FALSE(s.identified);
    EXPECT_EQ(s.config, "external");
    EXPECT_EQ(s.strategy, "");
    EXPECT_FALSE(s.load_value);
    EXPECT_FALSE(s.workers);
    EXPECT_EQ(bench::run_server_json(s), "null");
  }
}

TEST(RunFolderTest, PhaseFromTheStreams) {
  using P = bench::RunPhase;
  auto phase = [](std::vector<bench::StreamSpec> specs) {
    const P p = bench::run_phase(specs);
    return p.phase + "|" + p.level;
  };
  EXPECT_EQ(phase({spec("heavy", "/"), spec("probe", "/hi", 200)}), "heavy+probe|");
  EXPECT_EQ(phase({spec("main", "/")}), "heavy-only|");
  EXPECT_EQ(phase({spec("main", "/hi", 200)}), "probe-only|");
  EXPECT_EQ(phase({spec("heavy", "/", 150), spec("probe", "/hi", 200)}), "load|150rps");
}

TEST(RunFolderTest, RowsAreBuiltByNameInTheSchemasOrder) {
  bench::NamedRow row("series.csv");
  row.integer("completed", 7).text("stream", "probe").number("t_s", 1.5, 3);
  row.text("no_such_column", "x");
  EXPECT_EQ(row.unknown(), std::vector<std::string>{"no_such_column"});
  const auto columns = bench::schema::columns("series.csv");
  std::vector<std::string> cells;
  std::string line = row.line();
  ASSERT_EQ(line.back(), '\n');
  line.pop_back();
  std::size_t at = 0;
  for (;;) {
    const auto comma = line.find(',', at);
    cells.push_back(line.substr(at, comma == std::string::npos ? comma : comma - at));
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  ASSERT_EQ(cells.size(), columns.size());
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const std::string want = columns[i].name == "stream"      ? "probe"
                             : columns[i].name == "t_s"       ? "1.500"
                             : columns[i].name == "completed" ? "7"
                                                              : "";
    EXPECT_EQ(cells[i], want) << columns[i].name;
  }
}

}  // namespace
