// What a server says about its knobs: offload-server's /metrics line
// offload_knobs{worker_nice="19",worker_policy="idle",loop_cpu="0",worker_cpus="",workers="2",
// max_jobs_per_worker="0",refused=""} 1. The experiment records what the server refused and
// checks that the knobs in force are those the configuration asked for (an exported
// WORKER_NICE, say, would otherwise change a configuration behind its label's back).
#pragma once

#include <string>
#include <vector>

#include "experiment/plan.hpp"
#include "sample/prometheus.hpp"

namespace bench {

struct ServerKnobs {
  bool reported = false;  // the server has an offload_knobs line
  std::map<std::string, std::string> labels;
  std::string refused;  // the server's own words; "" when every knob was applied
};

ServerKnobs server_knobs(const Scrape& scrape);

// "" when the server runs what `config` asked for; else e.g. "server reports worker_nice=5,
// asked 0". Only the knobs that apply to the configuration's strategy are compared.
std::string knob_mismatches(const ServerKnobs& reported, const ServerConfig& config);

// What the knobs_refused column says: the refusals and any mismatch, joined by "; ".
std::string refused_text(const ServerKnobs& reported, const ServerConfig& config);

}  // namespace bench
