// CPU lists are compared as sets: the server writes them in its canonical form (0-1), a
// sweep may have said 0+1.
#include "experiment/server_knobs.hpp"

#include "experiment/cpu_pinning.hpp"

#include <set>

#include "experiment/knobs.hpp"

namespace bench {

namespace {

std::set<int> cpu_set(const std::string& list) {
  const auto cpus = parse_cpu_list(list);
  if (!cpus) return {-1};  // unreadable: differs from any real list
  return {cpus->begin(), cpus->end()};
}

}  // namespace

ServerKnobs server_knobs(const Scrape& scrape) {
  ServerKnobs k;
  if (const auto* labels = scrape.labels("offload_knobs")) {
    k.reported = true;
    k.labels = *labels;
    if (const auto it = labels->find("refused"); it != labels->end()) k.refused = it->second;
  }
  return k;
}

std::string knob_mismatches(const ServerKnobs& reported, const ServerConfig& config) {
  if (!reported.reported) return {};
  std::string out;
  auto differs = [&](const std::string& column, const std::string& asked) {
    const auto it = reported.labels.find(column);
    if (it == reported.labels.end()) return;
    // Not asked: the server picks the CPUs itself (all but --loop-cpu's) and reports them.
    if (column == "worker_cpus" && asked.empty()) return;
    const bool same =
        column == "worker_cpus" ? cpu_set(it->second) == cpu_set(asked) : it->second == asked;
    if (!same)
      out += (out.empty() ? "server reports " : ", ") + column + "=" + it->second + ", asked " +
             (asked.empty() ? "none" : asked);
  };
  const auto& specs = knob_specs();
  std::string min, max;
  for (std::size_t i = 0; i < specs.size() && i < config.knobs.size(); ++i) {
    if (i >= config.knob_in_scope.size() || !config.knob_in_scope[i]) continue;
    const std::string column = specs[i].column;
    if (column == "min_workers") min = config.knobs[i];
    if (column == "max_workers") max = config.knobs[i];
    if (column == "worker_nice" || column == "worker_policy" || column == "loop_cpu" ||
        column == "worker_cpus" || column == "max_jobs_per_worker")
      differs(column, config.knobs[i]);
  }
  if (!min.empty()) differs("workers", min == max ? min : min + "-" + max);
  return out;
}

std::string refused_text(const ServerKnobs& reported, const ServerConfig& config) {
  const std::string mismatch = knob_mismatches(reported, config);
  if (reported.refused.empty()) return mismatch;
  return mismatch.empty() ? reported.refused : reported.refused + "; " + mismatch;
}

}  // namespace bench
