// offload-worker's body: one NATS connection, one queue subscription on the workload's job
// subject, `concurrency` job threads, a heartbeat, and a drain on SIGTERM/SIGINT.
#pragma once

#include "worker_options.hpp"

namespace offload::worker {

// Runs until a signal and a drain, or a fatal error. Returns the exit code: 0 after a drain,
// 1 when it could not start or had to abandon jobs.
int run_remote_worker(const WorkerConfig& config);

}  // namespace offload::worker
