// What an experiment will do: the server configurations (strategy x job size x workers x
// every knob sweep), the runs and each run's steps. With load levels: first one capacity run
// per configuration (repeat 0), then one level run per configuration and repeat. Repeats are
// interleaved (A B C, then A C B ...) with the order of each round shuffled by --seed, so
// slow drift of the machine falls on every configuration alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "experiment/strategies.hpp"

namespace bench {

struct ServerConfig {
  std::string label;  // e.g. thread-fib30-w2, process-gpg64k-w2
  std::string strategy;
  std::string workload;       // fib | gpg
  unsigned fib = 0;           // fib only
  std::uint64_t payload = 0;  // gpg only: bytes
  // The job size as any workload names it: its server flag's column ("fib", "payload_bytes")
  // and value; the CSVs' load_param and load_value.
  std::string load_param;
  std::uint64_t load_value = 0;
  unsigned workers = 0;  // 1 for a strategy without a pool: its one "worker" is the loop
  bool pool = true;      // the strategy has a pool, sized with --workers
  // One canonical value per knob_specs() entry, as recorded in the CSVs: the swept value, a
  // --server-arg's, or the server's default; "" where the knob does not apply to the
  // strategy, or (loop/worker CPUs) nothing is pinned.
  std::vector<std::string> knobs;
  // One per knob_specs() entry: whether it means something for the strategy (the server's
  // strategy list names it for the strategy).
  std::vector<bool> knob_in_scope;
  std::vector<std::string> knob_args;  // server flags for this configuration's swept knobs
  std::string problem;                 // a combination the server would refuse, or ""
};

struct Step {
  std::string phase;  // idle-before, probe-only, heavy-only, heavy+probe, load, idle-after,
                      // calibrate
  double seconds = 0;
  bool heavy = false;
  bool probe = false;
  bool calibrate = false;  // job cost: heavy alone at one connection; no rows of its own
  int level = -1;          // load: the index in options.levels; heavy is then open loop
};

struct PlannedRun {
  std::size_t config = 0;
  unsigned repeat = 1;     // 0: the capacity run of an experiment with load levels
  bool calibrate = false;  // the configuration's first run measures its job cost
  bool levels = false;     // a level run: probe-only, then a load phase per level
};

// A configuration's job size as one key: configurations are compared (load basis, choice)
// only with others of the same workload and size. "fib30", "gpg64k".
std::string size_key(const ServerConfig& c);

struct Plan {
  std::vector<ServerConfig> configs;
  std::vector<PlannedRun> runs;
  // `level_order`: a level run's levels in the order to run them (ascending offered rate);
  // empty: as given.
  std::vector<Step> steps(const PlannedRun& run,
                          const std::vector<std::size_t>& level_order = {}) const;
  // Seconds the runs from `first` on should take, with a second per run for starting,
  // draining and stopping the server.
  double seconds_from(std::size_t first) const;

  ExperimentOptions options;
  StrategyRegistry strategies;  // as the server listed them
};

// `strategies` must name every strategy of options.strategies (check_strategies).
Plan make_plan(const ExperimentOptions& options, const StrategyRegistry& strategies);
// "" or one line on why the plan cannot run: a knob combination the server refuses
// (--min-workers above --max-workers), or a --choose label no configuration has.
std::string check_plan(const Plan& plan);

}  // namespace bench
