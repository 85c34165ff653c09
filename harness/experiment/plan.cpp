// inline has no pool: a --workers sweep would run the same inline server several times, so
// inline appears once per job size.
#include "experiment/plan.hpp"

#include <set>

namespace bench {

namespace {

constexpr double kOverheadPerRunS = 1.0;

}  // namespace

Plan make_plan(const ExperimentOptions& options) {
  Plan plan;
  plan.options = options;
  std::set<std::string> labels;
  // The load axis: FIB values for fib, payload sizes for gpg.
  std::vector<std::uint64_t> sizes;
  if (options.workload == "gpg") {
    sizes = options.payloads;
  } else {
    for (unsigned f : options.fibs) sizes.push_back(f);
  }
  for (const auto& strategy : options.strategies) {
    for (std::uint64_t size : sizes) {
      for (unsigned workers : options.workers) {
        ServerConfig c;
        c.strategy = strategy;
        c.workload = options.workload;
        c.workers = strategy == "inline" ? 1 : workers;
        std::string load;
        if (c.workload == "gpg") {
          c.payload = size;
          load = "gpg" + size_label(size);
        } else {
          c.fib = static_cast<unsigned>(size);
          load = "fib" + std::to_string(c.fib);
        }
        c.label = strategy + "-" + load + "-w" + std::to_string(c.workers);
        if (labels.insert(c.label).second) plan.configs.push_back(c);
      }
    }
  }
  for (unsigned r = 1; r <= options.repeats; ++r)
    for (std::size_t i = 0; i < plan.configs.size(); ++i) plan.runs.push_back({i, r, r == 1});
  return plan;
}

std::vector<Step> Plan::steps(const PlannedRun& run) const {
  std::vector<Step> s;
  s.push_back({"idle-before", options.idle_s, false, false, false});
  if (run.calibrate) s.push_back({"calibrate", options.calibrate_s, true, false, true});
  s.push_back({"probe-only", options.phase_s, false, true, false});
  s.push_back({"heavy-only", options.phase_s, true, false, false});
  s.push_back({"heavy+probe", options.phase_s, true, true, false});
  s.push_back({"idle-after", options.idle_s, false, false, false});
  return s;
}

double Plan::seconds_from(std::size_t first) const {
  double total = 0;
  for (std::size_t i = first; i < runs.size(); ++i) {
    total += kOverheadPerRunS;
    for (const auto& step : steps(runs[i])) total += step.seconds;
  }
  return total;
}

}  // namespace bench
