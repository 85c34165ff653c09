// A strategy without a pool (inline: its jobs run on the loop) has no size: a --workers sweep
// would run the same server several times, so it appears once per job size. Knobs follow the
// same rule: one that means nothing for a strategy (a worker's nice for inline, an elastic
// pool size for thread; the server's strategy list says which) is not passed to it and not
// named in its label, so its configurations collapse into one.
#include "experiment/plan.hpp"

#include <algorithm>
#include <random>
#include <set>

#include "experiment/knobs.hpp"

namespace bench {

namespace {

constexpr double kOverheadPerRunS = 1.0;

// The knobs in force for one configuration, given the sweep values chosen for it.
void resolve_knobs(const ExperimentOptions& options, ServerConfig& c,
                   const std::vector<std::size_t>& choice) {
  const auto& specs = knob_specs();
  const auto fixed = knobs_in_server_args(options.server_args);
  c.knobs.assign(specs.size(), "");
  std::vector<bool> set(specs.size(), false);
  for (std::size_t k = 0; k < specs.size(); ++k) {
    const KnobSpec& spec = specs[k];
    if (!c.knob_in_scope[k]) continue;
    c.knobs[k] = spec.fallback;
    for (const auto& [key, value] : fixed) {  // the last one given wins, as in the server
      if (key != spec.key) continue;
      normalize_knob_value(spec, value, c.knobs[k]);  // checked when the options were parsed
      set[k] = true;
    }
  }
  for (std::size_t s = 0; s < options.sweeps.size(); ++s) {
    const KnobSpec* spec = find_knob(options.sweeps[s].key);
    const std::size_t k = static_cast<std::size_t>(spec - specs.data());
    if (!c.knob_in_scope[k]) continue;
    const std::string& value = options.sweeps[s].values[choice[s]];
    c.knobs[k] = value;
    set[k] = true;
    c.label += "-" + knob_label(*spec, value);
    const auto args = knob_args(*spec, value);
    c.knob_args.insert(c.knob_args.end(), args.begin(), args.end());
  }
  // The elastic pool's sizes as the server resolves them: unset ones are --workers, and the
  // most is at least the fewest.
  const std::size_t lo = static_cast<std::size_t>(find_knob("min-workers") - specs.data());
  const std::size_t hi = static_cast<std::size_t>(find_knob("max-workers") - specs.data());
  if (c.knob_in_scope[lo]) {
    const unsigned min = set[lo] ? static_cast<unsigned>(std::stoul(c.knobs[lo])) : c.workers;
    const unsigned max = set[hi] ? static_cast<unsigned>(std::stoul(c.knobs[hi])) : c.workers;
    if (set[lo] && set[hi] && min > max)
      c.problem = c.label + ": --min-workers " + c.knobs[lo] + " is above --max-workers " +
                  c.knobs[hi] + " (the server refuses it)";
    c.knobs[lo] = std::to_string(min);
    c.knobs[hi] = std::to_string(std::max(min, max));
  }
}

}  // namespace

Plan make_plan(const ExperimentOptions& options, const StrategyRegistry& strategies) {
  Plan plan;
  plan.options = options;
  plan.strategies = strategies;
  std::set<std::string> labels;
  // The load axis: FIB values for fib, payload sizes for gpg.
  std::vector<std::uint64_t> sizes;
  if (options.workload == "gpg") {
    sizes = options.payloads;
  } else {
    for (unsigned f : options.fibs) sizes.push_back(f);
  }
  for (const auto& strategy : options.strategies) {
    const Strategy* info = strategies.find(strategy);
    const Strategy unknown{strategy, {}, true, {"workers"}};  // check_strategies refuses it first
    const Strategy& s = info != nullptr ? *info : unknown;
    for (std::uint64_t size : sizes) {
      for (unsigned workers : options.workers) {
        // The knob sweeps' cross product, the last sweep varying fastest.
        std::vector<std::size_t> choice(options.sweeps.size(), 0);
        for (bool more = true; more;) {
          ServerConfig c;
          c.strategy = strategy;
          c.workload = options.workload;
          c.pool = s.has_pool();
          c.workers = c.pool ? workers : 1;
          for (const auto& spec : knob_specs())
            c.knob_in_scope.push_back(knob_applies(spec, s, strategies));
          std::string load;
          if (c.workload == "gpg") {
            c.payload = size;
            load = "gpg" + size_label(size);
            c.load_param = "payload_bytes";
          } else {
            c.fib = static_cast<unsigned>(size);
            load = "fib" + std::to_string(c.fib);
            c.load_param = "fib";
          }
          c.load_value = size;
          c.label = strategy + "-" + load + "-w" + std::to_string(c.workers);
          resolve_knobs(options, c, choice);
          if (labels.insert(c.label).second) plan.configs.push_back(c);
          more = false;
          for (std::size_t s = options.sweeps.size(); s-- > 0;) {
            if (++choice[s] < options.sweeps[s].values.size()) {
              more = true;
              break;
            }
            choice[s] = 0;
          }
        }
      }
    }
  }
  // Each round in its own shuffled order (a fixed order would give one configuration the
  // machine's first minutes every time); the capacity runs come first, in the order given.
  const bool levels = !options.levels.empty();
  if (levels)
    for (std::size_t i = 0; i < plan.configs.size(); ++i) plan.runs.push_back({i, 0, true, false});
  std::mt19937_64 rng(options.seed);
  for (unsigned r = 1; r <= options.repeats; ++r) {
    std::vector<std::size_t> order(plan.configs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    if (options.repeats > 1) std::shuffle(order.begin(), order.end(), rng);
    for (std::size_t i : order) plan.runs.push_back({i, r, !levels && r == 1, levels});
  }
  return plan;
}

std::string size_key(const ServerConfig& c) {
  return c.workload == "gpg" ? "gpg" + size_label(c.payload) : "fib" + std::to_string(c.fib);
}

std::string check_plan(const Plan& plan) {
  for (const auto& c : plan.configs)
    if (!c.problem.empty()) return c.problem;
  if (!plan.options.choose.empty()) {
    std::string labels;
    for (const auto& c : plan.configs) {
      if (c.label == plan.options.choose) return {};
      labels += (labels.empty() ? "" : ", ") + c.label;
    }
    return "--choose " + plan.options.choose + ": no such configuration (" + labels + ")";
  }
  return {};
}

std::vector<Step> Plan::steps(const PlannedRun& run,
                              const std::vector<std::size_t>& level_order) const {
  std::vector<Step> s;
  s.push_back({"idle-before", options.idle_s, false, false, false});
  if (run.calibrate) s.push_back({"calibrate", options.calibrate_s, true, false, true});
  s.push_back({"probe-only", options.phase_s, false, true, false});
  if (run.levels) {
    std::vector<std::size_t> order = level_order;
    if (order.empty())
      for (std::size_t i = 0; i < options.levels.size(); ++i) order.push_back(i);
    for (std::size_t i : order)
      s.push_back({"load", options.phase_s, true, true, false, static_cast<int>(i)});
  } else {
    s.push_back({"heavy-only", options.phase_s, true, false, false});
    s.push_back({"heavy+probe", options.phase_s, true, true, false});
  }
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
