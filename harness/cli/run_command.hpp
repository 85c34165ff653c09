// `offload-bench [run]`: the streams given on the command line against --target, until they
// finish or Ctrl-C; then the table on stdout and the .hgrm files. Returns the exit status.
#pragma once

#include "cli/options.hpp"

namespace bench {

int run_load(RunOptions options);

}  // namespace bench
