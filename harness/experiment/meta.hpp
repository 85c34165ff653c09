// meta.json of a results folder (harness/RESULTS.md): the run's status and times, the
// command, every experiment parameter, the machine, versions, git revision, and one object
// per configuration with its job cost and how each of its servers ended.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "experiment/choice.hpp"
#include "experiment/curve.hpp"
#include "experiment/plan.hpp"

namespace bench {

struct RunRecord {  // one server run
  std::size_t config = 0;
  unsigned repeat = 1;
  int pid = 0;
  std::string exit;                        // "clean", how it ended, or "" while running
  std::string log;                         // its stderr
  std::string knobs_refused;               // as the server reported it (see server_knobs.hpp)
  std::optional<bool> slo_pass;            // its heavy+probe phase against --slo; none: not checked
  std::string slo_detail;                  // each objective's value and verdict
  double heavy_loaded_rps = std::nan("");  // heavy req/s in heavy+probe
};

struct MetaFacts {
  std::string run_id, status, started;
  std::optional<std::string> ended;
  std::vector<std::string> command;
  const Plan* plan = nullptr;
  std::string server_program;
  std::string machine_json, versions_json, git_rev;  // JSON objects / text, asked once
  std::vector<double> job_cost_ms;                   // per configuration; NaN: not measured
  std::vector<double> capacity_rps;                  // per configuration: mean heavy-only req/s
  std::vector<double> basis_rps;                     // per configuration: what N% refers to
  std::vector<Responsive> answers;                   // per configuration, once the run ended
  std::string validity_json = "null";                // thresholds and counts (validity.hpp)
  std::vector<RunRecord> runs;
  std::vector<ConfigOutcome> outcomes;  // per configuration, with --slo
  std::optional<Choice> choice;         // once the run has ended, with --slo
  std::string message;                  // why it failed, if it did
};

std::string meta_json(const MetaFacts& facts);

}  // namespace bench
