// offload-bench: the measurement harness of offload-lab. `offload-bench [run] ...` loads a
// running server; `offload-bench experiment ...` starts the servers itself and writes a
// results folder. See --help of each. `offload-bench --version` says what it was built from.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "cli/run_command.hpp"
#include "cli/version.hpp"
#include "experiment/experiment_command.hpp"

namespace {

// Open loops may open a connection per request in flight: take what the hard limit allows.
void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // Before any command's parser: `offload-bench experiment --version` answers the same.
  for (const auto& a : args) {
    if (a == "--version") {
      std::fputs(bench::version_text().c_str(), stdout);
      return 0;
    }
  }
  // A server that closes mid-write must be an error code on that connection, not our death.
  std::signal(SIGPIPE, SIG_IGN);
  raise_fd_limit();

  if (!args.empty() && args[0] == "experiment") {
    args.erase(args.begin());
    bench::ExperimentOptions options;
    const auto parsed = bench::parse_experiment_options(args, options);
    if (parsed.status == bench::ParseStatus::help) {
      std::fputs(bench::experiment_usage().c_str(), stdout);
      return 0;
    }
    if (parsed.status == bench::ParseStatus::error) {
      std::fprintf(stderr, "offload-bench experiment: %s\n", parsed.message.c_str());
      return 2;
    }
    return bench::run_experiment(options, argc, argv);
  }

  if (!args.empty() && args[0] == "run") args.erase(args.begin());
  if (!args.empty() && !args[0].empty() && args[0][0] != '-') {
    std::fprintf(stderr, "offload-bench: unknown command %s (run or experiment; see --help)\n",
                 args[0].c_str());
    return 2;
  }
  bench::RunOptions options;
  const auto parsed = bench::parse_run_options(args, options);
  options.command.assign(argv, argv + argc);
  if (parsed.status == bench::ParseStatus::help) {
    std::fputs(bench::run_usage().c_str(), stdout);
    return 0;
  }
  if (parsed.status == bench::ParseStatus::error) {
    std::fprintf(stderr, "offload-bench: %s\n", parsed.message.c_str());
    return 2;
  }
  return bench::run_load(std::move(options));
}
