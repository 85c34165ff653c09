// `offload-bench experiment`: finds the server program, creates the results folder, runs
// the Experiment on a libuv loop with Ctrl-C handling, and returns the exit status.
#pragma once

#include "cli/options.hpp"

namespace bench {

int run_experiment(const ExperimentOptions& options, int argc, char** argv);

}  // namespace bench
