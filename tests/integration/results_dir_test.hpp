// A test of `offload-bench experiment` with its own results folder: a fresh temporary parent
// per test (removed after it), `latest()` inside it, and harness/tools/check_results.py on it.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "harness_background.hpp"
#include "server_process.hpp"

namespace testsupport {

// A results CSV as rows of column -> cell (the tests' runs quote no cell).
inline std::vector<std::map<std::string, std::string>> read_csv(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::string line;
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream s(line);
    std::string cell;
    while (std::getline(s, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.push_back("");
    if (header.empty()) {
      header = cells;
      continue;
    }
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(row);
  }
  return rows;
}

class ResultsDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/offload-results-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    results_ = dir;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(results_, ec);
  }

  std::filesystem::path latest() const { return results_ / "latest"; }

  // "" when the newest run's folder passes check_results.py with this status (and, with
  // `complete`, every phase of every run present), else the checker's output.
  std::string check(const std::string& status, bool complete) const {
    std::vector<std::string> a = {CHECK_RESULTS, latest().string(), "--status", status};
    if (complete) a.push_back("--complete");
    const auto r = run_program("/usr/bin/python3", a);
    return exit_code(r.status) == 0 ? "" : r.output;
  }

  std::filesystem::path results_;
};

}  // namespace testsupport
