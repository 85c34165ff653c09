// Worker mode: the body of one process-pool worker (this same program, started with
// `offload-server worker`). Reads jobs on stdin, writes results on stdout, until stdin ends.
#pragma once

namespace offload {

// argv after the "worker" word: [--parent-pid PID]. Returns the process exit code.
int run_worker(int argc, char** argv);

}  // namespace offload
