// offload-worker: the remote strategy's worker, on any host that reaches the broker
// (offload-worker --help).
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "remote_worker.hpp"
#include "worker_options.hpp"

int main(int argc, char** argv) {
  offload::worker::WorkerConfig config;
  const auto parsed = offload::worker::parse_worker_config(
      argc, argv, [](const char* name) { return std::getenv(name); }, config);
  if (parsed.status == offload::worker::ParseStatus::help) {
    std::fputs(offload::worker::worker_usage().c_str(), stdout);
    return 0;
  }
  if (parsed.status == offload::worker::ParseStatus::error) {
    std::fprintf(stderr, "offload-worker: %s\n", parsed.message.c_str());
    return 2;
  }
  // A broker that goes away mid-write must be an error code, not a killed worker.
  std::signal(SIGPIPE, SIG_IGN);
  return offload::worker::run_remote_worker(config);
}
