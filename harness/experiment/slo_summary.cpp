// A configuration's line shows the detail that explains its verdict: its first failing
// repeat's, or, when all passed, its last one's.
#include "experiment/slo_summary.hpp"

#include <cmath>

#include "experiment/report_table.hpp"

namespace bench {

std::vector<ConfigOutcome> config_outcomes(const Plan& plan, const std::vector<RunRecord>& runs) {
  std::vector<ConfigOutcome> out(plan.configs.size());
  std::vector<double> rps_sum(plan.configs.size(), 0);
  for (const auto& r : runs) {
    if (!r.slo_pass || r.config >= out.size()) continue;
    ConfigOutcome& o = out[r.config];
    ++o.repeats_checked;
    if (*r.slo_pass) ++o.repeats_passed;
    rps_sum[r.config] += std::isnan(r.heavy_loaded_rps) ? 0 : r.heavy_loaded_rps;
  }
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i].heavy_rps = out[i].repeats_checked ? rps_sum[i] / out[i].repeats_checked : kNaN;
  return out;
}

std::string slo_summary(const Plan& plan, const std::vector<RunRecord>& runs,
                        const std::vector<ConfigOutcome>& outcomes, const Choice& choice,
                        int exit_status) {
  std::vector<SloRow> rows;
  for (std::size_t i = 0; i < plan.configs.size() && i < outcomes.size(); ++i) {
    SloRow row{plan.configs[i].label, "-", outcomes[i].heavy_rps, ""};
    if (outcomes[i].repeats_checked) row.verdict = outcomes[i].pass() ? "pass" : "fail";
    bool failed = false;
    for (const auto& r : runs) {
      if (r.config != i || !r.slo_pass || failed) continue;
      row.detail = "r" + std::to_string(r.repeat) + ": " + r.slo_detail;
      failed = !*r.slo_pass;
    }
    rows.push_back(row);
  }
  std::vector<std::string> texts;
  for (const auto& s : plan.options.slos) texts.push_back(s.text);
  const std::string chosen = choice.config
                                 ? plan.configs[*choice.config].label + " (" + choice.why +
                                       "): " + (choice.pass ? "pass" : "fail")
                                 : choice.why;
  return slo_table(texts, rows,
                   "chosen: " + chosen + "; exit status " + std::to_string(exit_status));
}

}  // namespace bench
