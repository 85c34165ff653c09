// The end of an experiment: the answer, printed before the per-run table and written to
// meta.json (for each configuration its capacity, its unloaded /hi p99, its responsive
// capacity (see curve.hpp) and the heavy throughput and latency there, then each
// configuration's curve), the validity counts, the SLO verdict and the exit status.
// Part of the Experiment class (runner.hpp); its lifecycle is in runner.cpp.
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "cli/run_report.hpp"
#include "experiment/cpu_pinning.hpp"
#include "experiment/json.hpp"
#include "experiment/machine.hpp"
#include "experiment/meta.hpp"
#include "experiment/runner.hpp"
#include "experiment/slo_summary.hpp"

namespace bench {

namespace {

std::string num(double v, const char* format) {
  if (std::isnan(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

}  // namespace

std::map<std::string, std::uint64_t> Experiment::warning_counts() const {
  std::map<std::string, std::uint64_t> counts;
  for (const auto& line : summary_lines_)
    for (const auto& w : line.warnings) ++counts[w];
  return counts;
}

std::string Experiment::warning_counts_text() const {
  std::string out;
  for (const auto& [name, n] : warning_counts())
    out += (out.empty() ? "" : ", ") + name + " " + std::to_string(n);
  return out;
}

std::string Experiment::validity_json() const {
  json::Object by_warning;
  for (const auto& [name, n] : warning_counts()) by_warning.integer(name, n);
  std::uint64_t invalid = 0;
  for (const auto& line : summary_lines_) invalid += line.warnings.empty() ? 0 : 1;
  return json::Object()
      .raw("thresholds", validity::thresholds_json())
      .integer("rows", summary_lines_.size())
      .integer("invalid_rows", invalid)
      .raw("by_warning", by_warning.text())
      .text();
}

// The machine object of meta.json with what this run knows of itself: where each side may
// run, whether they share CPUs, and the hypervisor's steal over the whole run so far.
std::string Experiment::machine_facts_json() const {
  const ExperimentOptions& o = plan_.options;
  cpu_set_t harness, server;
  if (o.harness_cpus.empty() || !cpu_set_of(o.harness_cpus, harness))
    sched_getaffinity(0, sizeof harness, &harness);
  if (o.server_cpus.empty() || !cpu_set_of(o.server_cpus, server))
    sched_getaffinity(0, sizeof server, &server);
  cpu_set_t both;
  CPU_AND(&both, &harness, &server);
  double steal_ms = kNaN;
  if (const auto now = read_cpu_times(); now && cpu_at_start_) {
    const long ticks = sysconf(_SC_CLK_TCK);
    steal_ms = static_cast<double>(now->steal - cpu_at_start_->steal) * 1000.0 /
               static_cast<double>(ticks > 0 ? ticks : 100);
  }
  std::string extra =
      json::Object()
          .raw("harness_cpus", o.harness_cpus.empty() ? "null" : json::string(o.harness_cpus))
          .raw("server_cpus", o.server_cpus.empty() ? "null" : json::string(o.server_cpus))
          .boolean("shares_cpus", CPU_COUNT(&both) > 0)
          .num("steal_total_ms", steal_ms)
          .text();
  // Both are JSON objects: the machine's fields, then these.
  const auto close = machine_json_.rfind('}');
  if (close == std::string::npos || extra.size() < 2) return machine_json_;
  std::string head = machine_json_.substr(0, close);
  while (!head.empty() && (head.back() == ' ' || head.back() == '\n')) head.pop_back();
  const bool empty = !head.empty() && head.back() == '{';
  return head + (empty ? "" : ", ") + extra.substr(1);
}

bool Experiment::is_baseline(const ServerConfig& c) const {
  const Strategy* loop = plan_.strategies.loop_strategy();
  return loop != nullptr && c.strategy == loop->name;
}

std::string Experiment::baseline_header() const {
  const Strategy* loop = plan_.strategies.loop_strategy();
  return "x " + (loop != nullptr ? loop->name : std::string("loop"));
}

double Experiment::baseline_capacity(std::size_t config) const {
  const std::string size = size_key(plan_.configs[config]);
  for (std::size_t i = 0; i < plan_.configs.size(); ++i)
    if (is_baseline(plan_.configs[i]) && size_key(plan_.configs[i]) == size)
      return mean_of(capacities_[i]);
  return kNaN;
}

std::string Experiment::repeats_text() const {
  if (plan_.options.repeats < 2 || !plan_.options.levels.empty()) return {};
  // Per configuration, its capacity runs' figures with a 95% t interval over the repeats.
  int width = 20;
  for (const auto& c : plan_.configs) width = std::max(width, static_cast<int>(c.label.size()));
  std::string out = "\nOver the repeats (mean ± half-width of the 95% t interval):\n";
  char line[600];
  std::snprintf(line, sizeof line, "%-*s %20s %8s %20s %20s %10s\n", width, "config",
                "heavy req/s w/ probe", baseline_header().c_str(), "/hi p99 alone ms",
                "/hi p99 loaded ms", "loaded/alone");
  out += line;
  for (const auto& c : plan_.configs) {
    std::vector<double> base_rps;  // the loop strategy's (inline's) of the same job size
    for (const auto& other : plan_.configs)
      if (is_baseline(other) && size_key(other) == size_key(c))
        for (const auto& r : table_)
          if (r.config == other.label) base_rps.push_back(r.heavy_loaded_rps);
    std::vector<double> rps, alone, loaded;
    for (const auto& r : table_) {
      if (r.config != c.label) continue;
      rps.push_back(r.heavy_loaded_rps);
      alone.push_back(r.hi_unloaded.p99.value_ms);
      loaded.push_back(r.hi_loaded.p99.value_ms);
    }
    auto pm = [](const std::vector<double>& v, const char* format) {
      std::string s = num(mean_of(v), format);
      const double h = t_half_width(v);
      if (!std::isnan(h)) s += " ±" + num(h, format);
      return s;
    };
    std::snprintf(line, sizeof line, "%-*s %20s %8s %20s %20s %10s\n", width, c.label.c_str(),
                  pm(rps, "%.1f").c_str(), num(mean_of(rps) / mean_of(base_rps), "%.2fx").c_str(),
                  pm(alone, "%.3f").c_str(), pm(loaded, "%.3f").c_str(),
                  num(mean_of(loaded) / mean_of(alone), "%.1fx").c_str());
    out += line;
  }
  return out;
}

void Experiment::record_answers() {
  answers_.clear();
  for (std::size_t i = 0; i < plan_.configs.size(); ++i)
    answers_.push_back(responsive_capacity(curve_of(level_points_, i), unloaded_p99_[i],
                                           plan_.options.knee_factor));
}

std::string Experiment::answer_text() const {
  if (plan_.options.levels.empty() || level_points_.empty()) return {};
  int width = 20;
  for (const auto& c : plan_.configs) width = std::max(width, static_cast<int>(c.label.size()));
  std::string out;
  char line[600];
  std::snprintf(line, sizeof line,
                "Responsive capacity: the highest offered heavy load at which /hi p99 stayed\n"
                "within %g x its unloaded p99 (there and at every lower level; means over "
                "repeats)\n",
                plan_.options.knee_factor);
  out += line;
  std::snprintf(line, sizeof line, "%-*s %10s %8s %9s | %10s %6s %10s %10s %9s  %s\n", width,
                "config", "capacity", "", "/hi p99", "responsive", "% max", "heavy", "heavy p99",
                "/hi p99", "why it stops there");
  out += line;
  std::snprintf(line, sizeof line, "%-*s %10s %8s %9s | %10s %6s %10s %10s %9s\n", width, "",
                "req/s", baseline_header().c_str(), "unloaded", "req/s", "", "req/s", "ms", "ms");
  out += line;
  for (std::size_t i = 0; i < plan_.configs.size() && i < answers_.size(); ++i) {
    const Responsive& a = answers_[i];
    const CurvePoint* at = a.at ? &*a.at : nullptr;
    const double capacity = mean_of(capacities_[i]);
    std::snprintf(line, sizeof line, "%-*s %10s %8s %9s | %10s %6s %10s %10s %9s  %s\n", width,
                  plan_.configs[i].label.c_str(), num(capacity, "%.1f").c_str(),
                  num(capacity / baseline_capacity(i), "%.2fx").c_str(),
                  format_ms(a.hi_unloaded_p99_ms).c_str(),
                  at ? num(at->offered_rps, "%.1f").c_str() : "none",
                  at ? num(at->offered_pct, "%.0f%%").c_str() : "-",
                  at ? num(at->heavy_rps, "%.1f").c_str() : "-",
                  at ? format_ms(at->heavy_p99_ms).c_str() : "-",
                  at ? format_ms(at->hi_p99_ms).c_str() : "-", a.why.c_str());
    out += line;
  }
  out +=
      "\nThe curve (per level, means over repeats; 503: answers refused with a full queue;\n"
      "/hi p99 with the half-width of its 95% t interval over repeats):\n";
  std::snprintf(line, sizeof line, "%-*s %7s %9s %9s %7s %10s %9s %16s %9s %s\n", width, "config",
                "level", "offered", "achieved", "503s", "heavy p99", "slowdown", "/hi p99",
                "/unloaded", "invalid");
  out += line;
  for (std::size_t i = 0; i < plan_.configs.size(); ++i) {
    for (const auto& c : curve_of(level_points_, i)) {
      double slowdown = kNaN;
      std::vector<double> sd;
      for (const auto& p : level_points_)
        if (p.config == i && p.level == c.level) sd.push_back(p.slowdown_p99);
      slowdown = mean_of(sd);
      std::string hi = format_ms(c.hi_p99_ms);
      if (!std::isnan(c.hi_p99_ci_ms)) hi += " ±" + format_ms(c.hi_p99_ci_ms);
      const double unloaded = i < answers_.size() ? answers_[i].hi_unloaded_p99_ms : kNaN;
      std::snprintf(line, sizeof line, "%-*s %7s %9s %9s %7llu %10s %9s %16s %9s %u/%u\n", width,
                    plan_.configs[i].label.c_str(), c.label.c_str(),
                    num(c.offered_rps, "%.1f").c_str(), num(c.heavy_rps, "%.1f").c_str(),
                    static_cast<unsigned long long>(c.rejected), format_ms(c.heavy_p99_ms).c_str(),
                    num(slowdown, "%.1fx").c_str(), hi.c_str(),
                    num(c.hi_p99_ms / unloaded, "%.1fx").c_str(), c.invalid, c.repeats);
      out += line;
    }
  }
  return out + "\n";
}

void Experiment::finish(const std::string& status, int exit_status, const std::string& message) {
  if (finished_) return;
  end_phase_now();
  if (!held_.empty()) release_held_rows();  // job cost unknown: the cell stays empty
  finished_ = true;
  sentinel_.reset();  // joins its thread
  record_answers();
  check_drift();
  std::uint64_t invalid = 0;
  for (const auto& line : summary_lines_) invalid += line.warnings.empty() ? 0 : 1;
  exit_status_ = exit_status;
  const bool with_slo = !plan_.options.slos.empty();
  std::string slo_text;
  if (with_slo) {
    // Which configuration the exit status speaks for; a run that did not complete keeps
    // its own status (1, 130): its verdicts are over what was measured.
    const auto outcomes = config_outcomes(plan_, run_meta_);
    std::vector<std::string> labels;
    for (const auto& c : plan_.configs) labels.push_back(c.label);
    std::vector<std::string> sizes;
    for (const auto& c : plan_.configs) sizes.push_back(size_key(c));
    choice_ = choose_config(outcomes, labels, plan_.options.choose, sizes);
    if (status == "complete" && !choice_->pass) exit_status_ = 3;
    slo_text = slo_summary(plan_, run_meta_, outcomes, *choice_, exit_status_);
  }
  // An invalid figure undermines an SLO verdict too: with --strict it wins over 3.
  if (plan_.options.strict && invalid > 0 && status == "complete" &&
      (exit_status_ == 0 || exit_status_ == 3))
    exit_status_ = 4;
  write_meta(status, message);
  folder_.flush();
  progress_.clear();
  std::fputs(answer_text().c_str(), stdout);
  std::fputs(experiment_table(table_, with_slo).c_str(), stdout);
  std::fputs(repeats_text().c_str(), stdout);
  std::fputs(slo_text.c_str(), stdout);
  std::printf("machine: %s\n", machine_line().c_str());
  if (invalid > 0) {
    std::printf("validity: %llu of %zu rows invalid (%s); see `warnings` in summary.csv%s\n",
                static_cast<unsigned long long>(invalid), summary_lines_.size(),
                warning_counts_text().c_str(), plan_.options.strict ? "; --strict: exit 4" : "");
  } else if (!summary_lines_.empty()) {
    std::printf("validity: all %zu rows valid\n", summary_lines_.size());
  }
  std::printf("results: %s\n", folder_.path().c_str());
  std::fflush(stdout);
  if (!message.empty()) std::fprintf(stderr, "offload-bench: %s\n", message.c_str());
  if (status == "interrupted") std::fprintf(stderr, "offload-bench: interrupted\n");
  scraper_.reset();
  sampler_.reset();
  server_.reset();  // reaped by now; if not, killed and reaped here
  next_timer_.close();
  confirm_timer_.close();
  knobs_timer_.close();
  boundary_timer_.close();
  if (on_finished) on_finished();
}

void Experiment::write_meta(const std::string& status, const std::string& message) {
  MetaFacts facts;
  facts.run_id = folder_.run_id();
  facts.status = status;
  facts.started = started_iso_;
  if (status != "running") facts.ended = utc_now_iso();
  facts.command = command_;
  facts.plan = &plan_;
  facts.server_program = program_;
  facts.versions_json = versions_json_;
  facts.git_rev = git_rev_;
  facts.job_cost_ms = job_cost_ms_;
  for (std::size_t i = 0; i < plan_.configs.size(); ++i) {
    facts.capacity_rps.push_back(mean_of(capacities_[i]));
    facts.basis_rps.push_back(basis_for(i));
  }
  facts.answers = answers_;
  facts.machine_json = machine_facts_json();
  facts.validity_json = validity_json();
  facts.runs = run_meta_;
  if (!plan_.options.slos.empty()) facts.outcomes = config_outcomes(plan_, run_meta_);
  facts.choice = choice_;
  facts.message = message;
  folder_.write_file("meta.json", meta_json(facts));
}

}  // namespace bench
