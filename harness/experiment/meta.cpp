// Built with json::Object so every string is escaped in one place; NaN becomes null.
#include "experiment/meta.hpp"

#include <cmath>

#include "experiment/json.hpp"
#include "experiment/knobs.hpp"

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
            .integer("workers", c.workers)
            .num("job_cost_ms", i < f.job_cost_ms.size() ? f.job_cost_ms[i] : std::nan(""))
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
              .text();
  }
  json::Object meta;
  meta.str("run_id", f.run_id)
      .str("status", f.status)
      .str("started", f.started)
      .raw("ended", f.ended ? json::string(*f.ended) : "null")
      .raw("command", strings_json(f.command))
      .raw("params", params_json(f.plan->options, f.server_program))
      .raw("machine", f.machine_json)
      .raw("versions", f.versions_json)
      .str("git_rev", f.git_rev)
      .raw("configs", json::array(configs))
      .raw("slo", slo);
  if (!f.message.empty()) meta.str("message", f.message);
  return meta.text() + "\n";
}

}  // namespace bench
