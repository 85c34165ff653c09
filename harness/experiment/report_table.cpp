// Fixed-width columns, latency in ms; "-" where a figure was not measured or had too few
// samples to be shown.
#include "experiment/report_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cli/run_report.hpp"

namespace bench {

namespace {

std::string rate(double r) {
  if (std::isnan(r)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", r);
  return buf;
}

}  // namespace

std::string experiment_table(const std::vector<RunRow>& rows, bool with_slo) {
  std::string out;
  char line[600];
  // Labels of swept configurations run long (thread-fib30-w2-nice19-sched-idle-loop0): the
  // first column is as wide as the longest.
  int width = 20;
  for (const auto& r : rows) width = std::max(width, static_cast<int>(r.config.size()));
  std::snprintf(line, sizeof line, "%-*s %3s %8s %10s %10s | %27s | %27s | %6s %s%s\n", width, "",
                "", "", "heavy req/s", "", "/hi alone (ms)", "/hi under heavy load (ms)", "", "",
                with_slo ? " " : "");
  out += line;
  std::snprintf(line, sizeof line,
                "%-*s %3s %8s %10s %10s | %8s %8s %9s | %8s %8s %9s | %6s %s%s\n", width, "config",
                "rep", "job ms", "alone", "w/ probe", "p50", "p99", "max", "p50", "p99", "max",
                "errors", with_slo ? "SLO  " : "", "server exit");
  out += line;
  for (const auto& r : rows) {
    char slo[16] = "";
    if (with_slo) std::snprintf(slo, sizeof slo, "%-4s ", r.slo.c_str());
    std::snprintf(
        line, sizeof line, "%-*s %3u %8s %10s %10s | %8s %8s %9s | %8s %8s %9s | %6llu %s%s\n",
        width, r.config.c_str(), r.repeat, format_ms(r.job_cost_ms).c_str(),
        rate(r.heavy_alone_rps).c_str(), rate(r.heavy_loaded_rps).c_str(),
        format_ms(r.hi_unloaded.p50.value_ms).c_str(),
        format_ms(r.hi_unloaded.p99.value_ms).c_str(), format_ms(r.hi_unloaded.max_ms).c_str(),
        format_ms(r.hi_loaded.p50.value_ms).c_str(), format_ms(r.hi_loaded.p99.value_ms).c_str(),
        format_ms(r.hi_loaded.max_ms).c_str(), static_cast<unsigned long long>(r.errors), slo,
        r.server_exit.c_str());
    out += line;
  }
  return out;
}

std::string slo_table(const std::vector<std::string>& slos, const std::vector<SloRow>& rows,
                      const std::string& chosen_line) {
  std::string out =
      "\nSLOs on the heavy+probe phase (a configuration passes when each repeat "
      "passed):";
  for (const auto& s : slos) out += " " + s;
  out += "\n";
  int width = 20;
  for (const auto& r : rows) width = std::max(width, static_cast<int>(r.config.size()));
  char line[600];
  std::snprintf(line, sizeof line, "%-*s %-7s %11s  %s\n", width, "config", "SLO", "heavy req/s",
                "first failing repeat, else the last");
  out += line;
  for (const auto& r : rows) {
    std::snprintf(line, sizeof line, "%-*s %-7s %11s  %s\n", width, r.config.c_str(),
                  r.verdict.c_str(), rate(r.heavy_rps).c_str(), r.detail.c_str());
    out += line;
  }
  return out + chosen_line + "\n";
}

}  // namespace bench
