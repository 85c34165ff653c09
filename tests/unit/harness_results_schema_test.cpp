// The results folder's layout is written once (harness/results_schema.json): the embedded copy
// is the file, the folder's CSVs start with its headers, and the cells that open every row
// are as many as its key and knob columns, with the job size in its workload's column and in
// load_param / load_value.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "experiment/json_value.hpp"
#include "experiment/knobs.hpp"
#include "experiment/results_folder.hpp"
#include "experiment/results_schema.hpp"
#include "experiment/row_keys.hpp"

namespace {

namespace fs = std::filesystem;

std::vector<std::string> cells(std::string line) {
  if (!line.empty() && line.back() == '\n') line.pop_back();
  std::vector<std::string> out;
  std::stringstream s(line);
  std::string cell;
  while (std::getline(s, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.push_back("");
  return out;
}

std::string first_line(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  return line;
}

TEST(ResultsSchemaTest, TheEmbeddedCopyIsTheFileAndParses) {
  std::ifstream in(RESULTS_SCHEMA_FILE);
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty()) << RESULTS_SCHEMA_FILE;
  EXPECT_EQ(std::string(bench::schema::json_text()), text.str())
      << "the build embeds an old copy: configure again";
  std::string error;
  ASSERT_TRUE(bench::json::parse(bench::schema::json_text(), &error).has_value()) << error;
  EXPECT_EQ(bench::schema::version(), 3);
  EXPECT_EQ(bench::schema::files(), (std::vector<std::string>{"summary.csv", "series.csv",
                                                              "resources.csv", "metrics.csv"}));
  for (const auto& file : bench::schema::files()) {
    const auto& cols = bench::schema::columns(file);
    ASSERT_GT(cols.size(), 20u) << file;
    for (const auto& c : cols) {
      EXPECT_TRUE(c.type == "text" || c.type == "integer" || c.type == "number") << c.name;
      EXPECT_GE(c.since, 1) << c.name;
      EXPECT_LE(c.since, bench::schema::version()) << c.name;
    }
  }
  EXPECT_TRUE(bench::schema::columns("nonesuch.csv").empty());
}

TEST(ResultsSchemaTest, TheFolderStartsEveryCsvWithTheSchemasHeader) {
  char dir[] = "/tmp/offload-schema-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  {
    bench::ResultsFolder folder;
    ASSERT_EQ(folder.create(dir, "schema"), "");
    for (const auto& file : bench::schema::files()) {
      EXPECT_EQ(first_line(fs::path(folder.path()) / file), bench::schema::header(file)) << file;
    }
    // The new generic columns sit beside the workload's own.
    EXPECT_NE(bench::schema::header("summary.csv")
                  .find("config,strategy,workload,fib,payload_bytes,load_param,load_value,"
                        "workers,repeat,phase,load_level,worker_nice,"),
              std::string::npos);
    // A rewrite (drift) keeps the header.
    ASSERT_TRUE(folder.rewrite_summary(""));
    EXPECT_EQ(first_line(fs::path(folder.path()) / "summary.csv"),
              bench::schema::header("summary.csv"));
  }
  fs::remove_all(dir);
}

TEST(ResultsSchemaTest, RowKeysFillTheKeyAndKnobColumns) {
  std::vector<std::string> opening = bench::schema::group("keys");
  for (const char* g : {"knobs", "knob_notes"})
    for (const auto& c : bench::schema::group(g)) opening.push_back(c);
  bench::ServerConfig fib;
  fib.label = "thread-fib30-w2";
  fib.strategy = "thread";
  fib.workload = "fib";
  fib.fib = 30;
  fib.load_param = "fib";
  fib.load_value = 30;
  fib.workers = 2;
  fib.knobs.assign(bench::knob_specs().size(), "");
  fib.knobs[0] = "19";
  auto row = cells(bench::key_cells(fib, 1, "load", "50%", "nice refused").line());
  ASSERT_EQ(row.size(), opening.size());
  std::map<std::string, std::string> by_name;
  for (std::size_t i = 0; i < row.size(); ++i) by_name[opening[i]] = row[i];
  EXPECT_EQ(by_name["fib"], "30");
  EXPECT_EQ(by_name["payload_bytes"], "");
  EXPECT_EQ(by_name["load_param"], "fib");
  EXPECT_EQ(by_name["load_value"], "30");
  EXPECT_EQ(by_name["workers"], "2");
  EXPECT_EQ(by_name["load_level"], "50%");
  EXPECT_EQ(by_name["worker_nice"], "19");
  EXPECT_EQ(by_name["knobs_refused"], "nice refused");

  bench::ServerConfig gpg = fib;
  gpg.workload = "gpg";
  gpg.load_param = "payload_bytes";
  gpg.load_value = 65536;
  row = cells(bench::key_cells(gpg, 0, "heavy-only", "", "").line());
  ASSERT_EQ(row.size(), opening.size());
  by_name.clear();
  for (std::size_t i = 0; i < row.size(); ++i) by_name[opening[i]] = row[i];
  EXPECT_EQ(by_name["fib"], "");
  EXPECT_EQ(by_name["payload_bytes"], "65536");
  EXPECT_EQ(by_name["load_param"], "payload_bytes");
  EXPECT_EQ(by_name["load_value"], "65536");
  EXPECT_EQ(by_name["load_level"], "");
}

}  // namespace
