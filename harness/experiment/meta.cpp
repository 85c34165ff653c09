// Built with json::Object so every string is escaped in one place; NaN becomes null.
#include "experiment/meta.hpp"

#include <algorithm>
#include <cmath>

#include "experiment/json.hpp"
#include "experiment/knobs.hpp"
#include "experiment/results_schema.hpp"

namespace bench {

namespace {

std::string strings_json(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const auto& i : items) quoted.push_back(json::string(i));
  return json::array(quoted);
}

// Swept knobs as {"worker-nice": ["0", "19"], ...}, values in their canonical text.
std::string sweeps_json(const ExperimentOptions& o) {
  json::Object sweeps;
  for (const auto& s : o.sweeps) sweeps.raw(s.key, strings_json(s.values));
  return sweeps.text();
}

// The knobs in force: numbers where the knob is a number, null where it does not apply (or a
// CPU knob pins nothing).
std::string knobs_json(const ServerConfig& c) {
  json::Object knobs;
  const auto& specs = knob_specs();
  for (std::size_t i = 0; i < specs.size() && i < c.knobs.size(); ++i) {
    const std::string& v = c.knobs[i];
    knobs.raw(specs[i].column, v.empty() ? "null" : specs[i].numeric ? v : json::string(v));
  }
  return knobs.text();
}

std::vector<std::string> level_labels(const ExperimentOptions& o) {
  std::vector<std::string> labels;
  for (const auto& l : o.levels) labels.push_back(l.label);
  return labels;
}

// null, or where the configuration stopped being responsive (curve.hpp).
std::string responsive_json(const Responsive& r) {
  if (!r.at) return "null";
  return json::Object()
      .str("level", r.at->label)
      .num("offered_rps", r.at->offered_rps)
      .num("offered_pct", r.at->offered_pct)
      .num("heavy_rps", r.at->heavy_rps)
      .num("heavy_p99_ms", r.at->heavy_p99_ms)
      .num("hi_p99_ms", r.at->hi_p99_ms)
      .text();
}

// The rate N% refers to per job size: the highest capacity among its configurations (with
// --load-basis own each configuration has its own, in configs[]).
std::string basis_json(const MetaFacts& f) {
  json::Object basis;
  std::vector<std::string> seen;
  for (std::size_t i = 0; i < f.plan->configs.size(); ++i) {
    const std::string key = size_key(f.plan->configs[i]);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    double best = std::nan("");
    for (std::size_t j = 0; j < f.plan->configs.size() && j < f.capacity_rps.size(); ++j)
      if (size_key(f.plan->configs[j]) == key && !std::isnan(f.capacity_rps[j]) &&
          !(best >= f.capacity_rps[j]))
        best = f.capacity_rps[j];
    basis.num(key, best);
  }
  return basis.text();
}

// With several job sizes: {"fib20": "thread-fib20-w2", "fib30": null}; else null.
std::string per_size_json(const Choice& c, const std::vector<ServerConfig>& configs) {
  if (c.per_size.empty()) return "null";
  json::Object o;
  for (const auto& [size, best] : c.per_size)
    o.raw(size, best ? json::string(configs[*best].label) : "null");
  return o.text();
}

std::string params_json(const ExperimentOptions& o, const std::string& program) {
  std::vector<std::string> fibs, payloads, workers, slos;
  for (const auto& s : o.slos) slos.push_back(json::string(s.text));
  for (unsigned f : o.fibs) fibs.push_back(std::to_string(f));
  for (std::uint64_t p : o.payloads) payloads.push_back(std::to_string(p));
  for (unsigned w : o.workers) workers.push_back(std::to_string(w));
  return json::Object()
      .raw("strategies", strings_json(o.strategies))
      .str("workload", o.workload)
      .raw("fibs", o.workload == "fib" ? json::array(fibs) : "[]")
      .raw("payloads_bytes", o.workload == "gpg" ? json::array(payloads) : "[]")
      .raw("workers", json::array(workers))
      .integer("heavy_conns", o.heavy_conns)
      .str("heavy_path", "/")
      .num("probe_rate_rps", o.probe_rate)
      .str("probe_path", "/hi")
      .boolean("probe_poisson", o.poisson)
      .integer("probe_max_conns", o.probe_max_conns)
      .num("phase_s", o.phase_s)
      .num("idle_s", o.idle_s)
      .num("calibrate_s", o.calibrate_s)
      .integer("calibrate_conns", 1)
      .integer("repeats", o.repeats)
      .num("timeout_s", o.timeout_s)
      .num("window_s", 0.5)
      .str("seed", std::to_string(o.seed))  // a string: JSON numbers lose 64-bit integers
      .str("server_program", program)
      .raw("server_args", strings_json(o.server_args))
      .raw("sweeps", sweeps_json(o))
      .raw("slos", json::array(slos))
      .str("slo_phase", "heavy+probe")
      .raw("choose", o.choose.empty() ? "null" : json::string(o.choose))
      .raw("load", strings_json(level_labels(o)))
      .str("load_basis", basis_name(o.load_basis))
      .str("heavy_arrivals", o.heavy_poisson ? "poisson" : "fixed")
      .integer("heavy_max_conns", o.heavy_max_conns)
      .num("knee_factor", o.knee_factor)
      .boolean("strict", o.strict)
      .raw("harness_cpus", o.harness_cpus.empty() ? "null" : json::string(o.harness_cpus))
      .raw("server_cpus", o.server_cpus.empty() ? "null" : json::string(o.server_cpus))
      .text();
}

}  // namespace

std::string meta_json(const MetaFacts& f) {
  std::vector<std::string> configs;
  for (std::size_t i = 0; i < f.plan->configs.size(); ++i) {
    const ServerConfig& c = f.plan->configs[i];
    std::vector<std::string> runs;
    for (const auto& r : f.runs) {
      if (r.config != i) continue;
      runs.push_back(json::Object()
                         .integer("repeat", r.repeat)
                         .integer("server_pid", r.pid)
                         .raw("server_exit", r.exit.empty() ? "null" : json::string(r.exit))
                         .str("log", r.log)
                         .str("knobs_refused", r.knobs_refused)
                         .num("heavy_loaded_rps", r.heavy_loaded_rps)
                         .raw("slo_pass", r.slo_pass ? (*r.slo_pass ? "true" : "false") : "null")
                         .raw("slo_detail", r.slo_pass ? json::string(r.slo_detail) : "null")
                         .text());
    }
    const bool checked = i < f.outcomes.size() && f.outcomes[i].repeats_checked > 0;
    configs.push_back(
        json::Object()
            .str("config", c.label)
            .str("strategy", c.strategy)
            .str("workload", c.workload)
            .raw("fib", c.workload == "fib" ? std::to_string(c.fib) : "null")
            .raw("payload_bytes", c.workload == "gpg" ? std::to_string(c.payload) : "null")
            .str("load_param", c.load_param)
            .integer("load_value", static_cast<std::int64_t>(c.load_value))
            .integer("workers", c.workers)
            .num("job_cost_ms", i < f.job_cost_ms.size() ? f.job_cost_ms[i] : std::nan(""))
            .num("capacity_rps", i < f.capacity_rps.size() ? f.capacity_rps[i] : std::nan(""))
            .num("load_basis_rps", i < f.basis_rps.size() ? f.basis_rps[i] : std::nan(""))
            .num("hi_unloaded_p99_ms",
                 i < f.answers.size() ? f.answers[i].hi_unloaded_p99_ms : std::nan(""))
            .raw("responsive", i < f.answers.size() ? responsive_json(f.answers[i]) : "null")
            .raw("responsive_why", i < f.answers.size() ? json::string(f.answers[i].why) : "null")
            .raw("knobs", knobs_json(c))
            .raw("slo_pass", checked ? (f.outcomes[i].pass() ? "true" : "false") : "null")
            .num("heavy_loaded_rps", checked ? f.outcomes[i].heavy_rps : std::nan(""))
            .raw("runs", json::array(runs))
            .text());
  }
  std::string slo = "null";  // no --slo, or the run has not ended
  if (f.choice) {
    const auto& labels = f.plan->configs;
    slo = json::Object()
              .raw("chosen",
                   f.choice->config ? json::string(labels[*f.choice->config].label) : "null")
              .str("why", f.choice->why)
              .boolean("chosen_pass", f.choice->pass)
              .raw("chosen_per_size", per_size_json(*f.choice, labels))
              .text();
  }
  json::Object meta;
  meta.str("run_id", f.run_id)
      .str("status", f.status)
      .str("started", f.started)
      .raw("ended", f.ended ? json::string(*f.ended) : "null")
      .integer("results_schema", schema::version())
      .raw("command", strings_json(f.command))
      .raw("params", params_json(f.plan->options, f.server_program))
      .raw("machine", f.machine_json)
      .raw("versions", f.versions_json)
      .str("git_rev", f.git_rev)
      .raw("strategies", f.plan->strategies.json())
      .str("strategies_from", f.plan->strategies.source)
      .raw("configs", json::array(configs))
      .raw("load_basis_rps", basis_json(f))
      .raw("validity", f.validity_json)
      .raw("slo", slo);
  if (!f.message.empty()) meta.str("message", f.message);
  return meta.text() + "\n";
}

}  // namespace bench
