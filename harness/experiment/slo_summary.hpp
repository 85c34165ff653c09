// The end of an experiment with --slo: each configuration's verdict over its repeats (from
// the runs' records) and the text printed under the run table: one line per configuration
// and which one was chosen, with the exit status that follows.
#pragma once

#include <string>
#include <vector>

#include "experiment/choice.hpp"
#include "experiment/meta.hpp"
#include "experiment/plan.hpp"

namespace bench {

// One per configuration of `plan`, from the runs whose heavy+probe phase was checked.
std::vector<ConfigOutcome> config_outcomes(const Plan& plan, const std::vector<RunRecord>& runs);

std::string slo_summary(const Plan& plan, const std::vector<RunRecord>& runs,
                        const std::vector<ConfigOutcome>& outcomes, const Choice& choice,
                        int exit_status);

}  // namespace bench
