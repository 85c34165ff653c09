// The process strategy's other side: the body of one worker process (this same program,
// started as `offload-server worker ...`), and the arguments the pool starts it with. Reads
// job frames on stdin, writes result frames on stdout, until stdin ends.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

#include "sched_knobs.hpp"

namespace offload {

struct WorkerArguments {
  pid_t parent = 0;      // the worker exits at once if its parent is already gone
  std::size_t slot = 0;  // which worker it is (its GnuPG home when there is one per worker)
  SchedKnobs knobs;      // applied before the workload starts
  std::string workload;  // its name in the workload registry
  std::vector<std::string> workload_args;  // Workload::worker_args(), passed through as they are
};

// --parent-pid PID --slot I [--nice N --policy P --cpus LIST] --workload NAME -- WORKLOAD-ARGS
std::vector<std::string> worker_arguments(const WorkerArguments& args);

// argv after the "worker" word, as worker_arguments() wrote it. Returns the exit code.
int run_worker(int argc, char** argv);

}  // namespace offload
