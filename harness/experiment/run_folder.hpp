// `offload-bench run --csv DIR`: one run written in the results folder's layout
// (harness/RESULTS.md, results_schema.json), so check_results.py, the notebooks and pandas read
// it like an experiment's. A run is one phase of one configuration: the phase is named after
// its streams (heavy+probe, heavy-only, probe-only; `load` at an open-loop heavy rate), repeat
// 1; the key and knob columns are what the server said of itself (run_server.hpp), empty for
// an external server. What a run does not measure stays empty: the job cost, the server's
// process tree (resources.csv keeps its header only), foreign CPU. meta.json says "kind":
// "run" and holds the run's own parameters, not an experiment's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "experiment/csv.hpp"
#include "experiment/run_output.hpp"

namespace bench {

struct RunPhase {
  std::string phase;  // heavy+probe | heavy-only | probe-only | load
  std::string level;  // load: the heavy rate as a level ("200rps"); else ""
};
RunPhase run_phase(const std::vector<StreamSpec>& specs);

// A CSV row built by column name and written in the schema's order; a column left unset is
// an empty cell. Names the file does not have are kept in unknown() (a writer's bug).
class NamedRow {
 public:
  explicit NamedRow(std::string file) : file_(std::move(file)) {}
  NamedRow& text(const std::string& column, const std::string& value);
  NamedRow& integer(const std::string& column, std::uint64_t value);
  NamedRow& number(const std::string& column, double value, int decimals);  // NaN: empty
  std::string line() const;                                                 // with its newline
  const std::vector<std::string>& unknown() const { return unknown_; }

 private:
  struct Cell {
    char kind;  // t(ext), i(nteger), n(umber)
    std::string text;
    std::uint64_t integer = 0;
    double number = 0;
    int decimals = 0;
  };
  NamedRow& set(const std::string& column, Cell cell);
  std::string file_;
  std::vector<std::pair<std::string, Cell>> cells_;
  std::vector<std::string> unknown_;
};

// The key, knob and knobs_refused cells of every row of a run's folder.
void run_key_cells(NamedRow& row, const RunServer& server, const RunPhase& phase);

// Writes DIR (created when missing; its files replaced): summary.csv, series.csv,
// resources.csv (header only), metrics.csv, meta.json, hgrm/<config>-r1-<phase>-<stream>.hgrm.
// Returns "" or what could not be written.
std::string write_run_folder(const std::string& dir, const RunFacts& facts);

// meta.json of a run folder.
std::string run_meta_json(const std::string& run_id, const RunFacts& facts,
                          std::uint64_t summary_rows, std::uint64_t invalid_rows,
                          const std::string& by_warning_json);

}  // namespace bench
