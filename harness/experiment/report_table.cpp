// Fixed-width columns, latency in ms; "-" where a figure was not measured or had too few
// samples to be shown.
#include "experiment/report_table.hpp"

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

std::string experiment_table(const std::vector<RunRow>& rows) {
  std::string out;
  char line[400];
  std::snprintf(line, sizeof line, "%-20s %3s %8s %10s %10s | %27s | %27s | %6s %s\n", "", "", "",
                "heavy req/s", "", "/hi alone (ms)", "/hi under heavy load (ms)", "", "");
  out += line;
  std::snprintf(line, sizeof line, "%-20s %3s %8s %10s %10s | %8s %8s %9s | %8s %8s %9s | %6s %s\n",
                "config", "rep", "job ms", "alone", "w/ probe", "p50", "p99", "max", "p50", "p99",
                "max", "errors", "server exit");
  out += line;
  for (const auto& r : rows) {
    std::snprintf(
        line, sizeof line, "%-20s %3u %8s %10s %10s | %8s %8s %9s | %8s %8s %9s | %6llu %s\n",
        r.config.c_str(), r.repeat, format_ms(r.job_cost_ms).c_str(),
        rate(r.heavy_alone_rps).c_str(), rate(r.heavy_loaded_rps).c_str(),
        format_ms(r.hi_unloaded.p50.value_ms).c_str(),
        format_ms(r.hi_unloaded.p99.value_ms).c_str(), format_ms(r.hi_unloaded.max_ms).c_str(),
        format_ms(r.hi_loaded.p50.value_ms).c_str(), format_ms(r.hi_loaded.p99.value_ms).c_str(),
        format_ms(r.hi_loaded.max_ms).c_str(), static_cast<unsigned long long>(r.errors),
        r.server_exit.c_str());
    out += line;
  }
  return out;
}

}  // namespace bench
