// `offload-bench run`'s machine-readable outputs end to end: --json on stdout is one JSON
// document (Python's parser agrees) that says what the table says; --csv is a results folder
// check_results.py accepts, with the server's configuration in its key columns (or
// "external"), and a tampered one it refuses; --slo exits 0 or 3 and names the objective that
// failed; Ctrl-C still writes both, saying so; a piped progress line is a plain line with the
// live figures; --version of both programs names the version, the revision and the libuv that
// runs.
#include <gtest/gtest.h>
#include <uv.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "experiment/json_value.hpp"
#include "harness_background.hpp"
#include "harness_test_server.hpp"
#include "results_dir_test.hpp"
#include "server_process.hpp"

namespace {

namespace fs = std::filesystem;
using testsupport::exit_code;
using testsupport::read_file;

class RunOutputsTest : public testsupport::ResultsDirTest {
 protected:
  // Runs offload-bench with `args` through the shell, stdout and stderr apart.
  struct Outcome {
    int code = -1;
    std::string out, err;
  };
  Outcome bench(const std::vector<std::string>& args) const {
    std::string command = OFFLOAD_BENCH;
    for (const auto& a : args) command += " '" + a + "'";
    const fs::path out = results_ / "stdout", err = results_ / "stderr";
    command += " >" + out.string() + " 2>" + err.string();
    const auto r = testsupport::run_program("/bin/sh", {"-c", command});
    return {exit_code(r.status), read_file(out), read_file(err)};
  }

  // check_results.py's exit code and output on a folder.
  std::pair<int, std::string> check(const fs::path& dir) const {
    const auto r =
        testsupport::run_program("/usr/bin/python3", {CHECK_RESULTS, dir.string(), "--complete"});
    return {exit_code(r.status), r.output};
  }
};

const bench::json::Value& at(const bench::json::Value& v, const char* key) {
  static const bench::json::Value missing;
  const auto* m = v.get(key);
  EXPECT_NE(m, nullptr) << key;
  return m ? *m : missing;
}

TEST_F(RunOutputsTest, JsonOnStdoutAndACheckedFolderFromARealServer) {
  testsupport::ServerProcess server(OFFLOAD_SERVER,
                                    {"--port", "0", "--strategy", "thread", "--fib", "20"});
  const fs::path folder = results_ / "run1";
  // Over 2 s, so the piped progress line shows once.
  const auto r = bench({"--target", "127.0.0.1:" + std::to_string(server.port()), "--duration",
                        "2.2", "--stream", "heavy:path=/?n=18,conns=2", "--stream",
                        "probe:path=/hi,rate=400", "--json", "-", "--csv", folder.string()});
  ASSERT_EQ(r.code, 0) << r.err;

  // stdout is the document alone: Python reads it, and so does the harness's own parser.
  fs::path doc_file = results_ / "run.json";
  std::ofstream(doc_file) << r.out;
  const auto py = testsupport::run_program(
      "/usr/bin/python3",
      {"-c", "import json,sys; d=json.load(open(sys.argv[1])); print(d['kind'], len(d['streams']))",
       doc_file.string()});
  EXPECT_EQ(exit_code(py.status), 0) << py.output;
  EXPECT_EQ(py.output, "run 2\n");
  std::string error;
  const auto doc = bench::json::parse(r.out, &error);
  ASSERT_TRUE(doc) << error;
  EXPECT_EQ(at(at(*doc, "server"), "config").text, "thread-fib18-w2");
  const auto& streams = at(*doc, "streams").items;
  ASSERT_EQ(streams.size(), 2u);
  const double heavy_count = at(streams[0], "count").number;
  EXPECT_GT(heavy_count, 0);
  EXPECT_EQ(at(streams[0], "errors").number, 0);
  EXPECT_GT(at(at(at(streams[1], "latency_ms"), "p99"), "hi").number, 0);
  // The table went to stderr, with the same count.
  EXPECT_NE(r.err.find(" " + std::to_string(static_cast<long>(heavy_count)) + " "),
            std::string::npos)
      << r.err;

  // The progress line on a pipe: one plain line (the next is due 5 s later), live figures in it.
  std::istringstream lines(r.err);
  int progress_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("offload-bench: 2 s", 0) != 0) continue;
    ++progress_lines;
    EXPECT_NE(line.find("| last 1s: heavy "), std::string::npos) << line;
    EXPECT_NE(line.find("probe "), std::string::npos) << line;
  }
  EXPECT_EQ(progress_lines, 1) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos);

  // The folder: valid, with the server's configuration in its rows and the JSON's count.
  const auto [code, output] = check(folder);
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("a run folder"), std::string::npos) << output;
  const auto rows = testsupport::read_csv(folder / "summary.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("config"), "thread-fib18-w2");
  EXPECT_EQ(rows[0].at("phase"), "heavy+probe");
  EXPECT_EQ(rows[0].at("stream"), "heavy");
  EXPECT_EQ(std::stod(rows[0].at("count")), heavy_count);
  EXPECT_FALSE(testsupport::read_csv(folder / "metrics.csv").empty());

  // A folder whose rows disagree with its meta.json is refused.
  std::string summary = read_file(folder / "summary.csv");
  const auto first = summary.find("\nthread-fib18-w2,");
  ASSERT_NE(first, std::string::npos);
  summary.replace(first + 1, 15, "thread-fib99-w2");
  std::ofstream(folder / "summary.csv", std::ios::trunc) << summary;
  const auto [bad_code, bad_output] = check(folder);
  EXPECT_EQ(bad_code, 1);
  EXPECT_NE(bad_output.find("config 'thread-fib99-w2', meta.json says 'thread-fib18-w2'"),
            std::string::npos)
      << bad_output;
}

TEST_F(RunOutputsTest, ObjectivesSetTheExitStatus) {
  testsupport::TestHttpServer server;
  const std::vector<std::string> load = {"--target", "127.0.0.1:" + std::to_string(server.port()),
                                         "--stream", "heavy:path=/,conns=1,calls=20",
                                         "--stream", "probe:path=/hi,rate=500,duration=0.4",
                                         "--quiet"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = load;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  auto pass = bench(with({"--slo", "probe.p99<10s", "--slo", "heavy.errors<=0"}));
  EXPECT_EQ(pass.code, 0) << pass.out << pass.err;
  EXPECT_NE(pass.out.find("slo probe.p99<10s: "), std::string::npos) << pass.out;
  EXPECT_EQ(pass.out.find("failed"), std::string::npos) << pass.out;

  const fs::path doc = results_ / "fail.json";
  auto fail = bench(
      with({"--slo", "probe.p99<10s", "--slo", "heavy.rps>1000000000", "--json", doc.string()}));
  EXPECT_EQ(fail.code, 3) << fail.out << fail.err;
  EXPECT_NE(fail.out.find("1 of 2 objectives failed: heavy.rps>1000000000 ("), std::string::npos)
      << fail.out;
  const auto parsed = bench::json::parse(read_file(doc));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(at(*parsed, "exit_status").number, 3);
  EXPECT_FALSE(at(at(*parsed, "slo"), "pass").boolean);

  // An objective on a stream the run does not have is a bad option, not a failed run.
  auto bad = bench({"--target", "127.0.0.1:" + std::to_string(server.port()), "--conns", "1",
                    "--calls", "5", "--path", "/", "--slo", "hi.p99<5ms"});
  EXPECT_EQ(bad.code, 2) << bad.err;
  EXPECT_NE(bad.err.find("the run has no probe stream"), std::string::npos) << bad.err;
}

TEST_F(RunOutputsTest, AnotherServerIsExternalAndItsFolderStillChecks) {
  testsupport::TestHttpServer server;  // answers "ok" to everything, /metrics included
  const fs::path folder = results_ / "external";
  const fs::path doc = results_ / "external.json";
  const auto r = bench({"--target", "127.0.0.1:" + std::to_string(server.port()), "--rate", "300",
                        "--duration", "0.4", "--path", "/hi", "--csv", folder.string(), "--json",
                        doc.string(), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto [code, output] = check(folder);
  EXPECT_EQ(code, 0) << output;
  const auto rows = testsupport::read_csv(folder / "summary.csv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("config"), "external");
  EXPECT_EQ(rows[0].at("strategy"), "");
  EXPECT_EQ(rows[0].at("phase"), "probe-only");
  EXPECT_EQ(rows[0].at("stream"), "probe");
  const auto parsed = bench::json::parse(read_file(doc));
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(at(*parsed, "server").is(bench::json::Value::Kind::null));
}

TEST_F(RunOutputsTest, CtrlCStillWritesWhatWasMeasured) {
  testsupport::TestHttpServer server;
  const fs::path folder = results_ / "interrupted";
  const fs::path doc = results_ / "interrupted.json";
  testsupport::BackgroundProgram bench(
      OFFLOAD_BENCH, {"--target", "127.0.0.1:" + std::to_string(server.port()), "--duration", "60",
                      "--stream", "heavy:path=/,conns=1", "--stream", "probe:path=/hi,rate=200",
                      "--json", doc.string(), "--csv", folder.string(), "--quiet"});
  ASSERT_TRUE(
      testsupport::wait_until([&] { return server.requests() > 100; }, std::chrono::seconds(20)));
  bench.signal(SIGINT);
  const auto status = bench.wait(std::chrono::seconds(20));
  ASSERT_TRUE(status) << bench.output();
  EXPECT_EQ(exit_code(*status), 130) << bench.output();
  const auto parsed = bench::json::parse(read_file(doc));
  ASSERT_TRUE(parsed) << read_file(doc);
  EXPECT_EQ(at(*parsed, "status").text, "interrupted");
  EXPECT_EQ(at(*parsed, "exit_status").number, 130);
  EXPECT_GT(at(at(*parsed, "streams").items.at(0), "count").number, 0);
  const auto r = testsupport::run_program(
      "/usr/bin/python3", {CHECK_RESULTS, folder.string(), "--status", "interrupted"});
  EXPECT_EQ(exit_code(r.status), 0) << r.output;
}

// "NAME VERSION" lines: the one naming `name`, or "".
std::string line_of(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(name + " ", 0) == 0) return line;
  return {};
}

TEST(VersionCommandTest, BothProgramsNameTheirVersionRevisionAndLibraries) {
  for (const std::string program : {OFFLOAD_BENCH, OFFLOAD_SERVER}) {
    const auto r = testsupport::run_program(program, {"--version"});
    EXPECT_EQ(exit_code(r.status), 0) << program << ": " << r.output;
    const std::string name = fs::path(program).filename();
    const std::string first = r.output.substr(0, r.output.find('\n'));
    EXPECT_EQ(first.rfind(name + " ", 0), 0u) << r.output;
    EXPECT_GT(first.size(), name.size() + 1) << r.output;  // a version after the name
    EXPECT_GT(line_of(r.output, "revision").size(), std::string("revision ").size()) << r.output;
    EXPECT_EQ(line_of(r.output, "libuv"), std::string("libuv ") + uv_version_string()) << r.output;
    EXPECT_NE(line_of(r.output, "oneTBB"), "") << r.output;
  }
  const auto server = testsupport::run_program(OFFLOAD_SERVER, {"--version"});
  EXPECT_NE(line_of(server.output, "GPGME"), "") << server.output;
}

}  // namespace
