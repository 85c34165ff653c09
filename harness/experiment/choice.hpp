// Which configuration the exit status of `offload-bench experiment --slo ...` speaks for, and
// whether it met its objectives: the one given with --choose; else the only configuration;
// else the best one, the configuration that passes every objective with the highest heavy
// throughput (heavy+probe phase). A configuration passes when each of its repeats passed.
// Throughput is only compared within one workload and job size (fib20 does more jobs than
// fib30 whatever the strategy): with several sizes there is a best per size, and the run
// passes when every size has one.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bench {

struct ConfigOutcome {
  unsigned repeats_checked = 0;  // repeats whose heavy+probe phase was measured
  unsigned repeats_passed = 0;
  double heavy_rps = 0;  // mean heavy req/s in heavy+probe over the checked repeats; NaN: none
  bool pass() const { return repeats_checked > 0 && repeats_passed == repeats_checked; }
};

struct Choice {
  std::optional<std::size_t> config;  // none: several configurations and none passed
  bool pass = false;
  std::string why;  // how it was chosen, for the table and meta.json
  // With several job sizes: each size's best (in the order the sizes first appear).
  std::vector<std::pair<std::string, std::optional<std::size_t>>> per_size;
};

// `wanted`: a label from --choose, or "" for the default rule; `labels` and `sizes` (each
// configuration's job size, e.g. "fib30"; empty: all one size) index like `outcomes`.
Choice choose_config(const std::vector<ConfigOutcome>& outcomes,
                     const std::vector<std::string>& labels, const std::string& wanted,
                     const std::vector<std::string>& sizes = {});

}  // namespace bench
