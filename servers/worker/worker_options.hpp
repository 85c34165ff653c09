// offload-worker's settings: its flag table (flags/, as offload-server's), each flag with an
// environment fallback, checked up front so a bad value is one line and exit code 2.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "sched_knobs.hpp"

namespace offload::worker {

struct WorkerConfig {
  std::string nats_url = "nats://127.0.0.1:4222";
  std::string token;  // or in the URL; empty: none
  std::string workload = "fib";
  unsigned concurrency = 1;    // jobs run at once, one thread each
  std::size_t first_slot = 0;  // thread i is worker slot first_slot + i (its GnuPG home)
  SchedKnobs knobs;            // for the job threads only: the NATS threads keep the defaults
  double heartbeat_s = 0.1;
  double drain_timeout_s = 30;
  std::string id;  // empty until parsed: host-pid
  // After "--": the workload's own arguments (Workload::start_worker), as the server's
  // worker_args() writes them; e.g. gpg: --gpg-home DIR --gpg-fingerprint FPR.
  std::vector<std::string> workload_args;
};

enum class ParseStatus { ok, help, error };

struct ParseResult {
  ParseStatus status = ParseStatus::ok;
  std::string message;
};

using EnvLookup = std::function<const char*(const char*)>;

// argv as main() has it (argv[0] is the program).
ParseResult parse_worker_config(int argc, const char* const* argv, const EnvLookup& env,
                                WorkerConfig& config);
std::string worker_usage();

}  // namespace offload::worker
