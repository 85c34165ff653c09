// Worker mode: the body of one process-pool worker (this same program, started with
// `offload-server worker`). Reads jobs on stdin, writes results on stdout, until stdin ends.
#pragma once

namespace offload {

// argv after the "worker" word, pairs of: --parent-pid PID, --slot I (which worker it is),
// and for the gpg workload --gpg-home DIR (repeated: slot I uses home I mod count),
// --gpg-fingerprint FPR, --payload-bytes N (encrypted ahead). Returns the exit code.
int run_worker(int argc, char** argv);

}  // namespace offload
