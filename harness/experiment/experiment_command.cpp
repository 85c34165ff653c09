// The default server is the offload-server built next to this program (build*/bin/), so a
// build tree is self-contained and never picks up a stale binary from PATH. That server is
// asked for its strategies before anything is planned: the names --strategies may use, the
// knobs that apply to each, and which runs its jobs on the loop.
#include "experiment/experiment_command.hpp"

#include <unistd.h>
#include <uv.h>

#include <csignal>
#include <cstdio>
#include <optional>

#include "experiment/cpu_pinning.hpp"
#include "experiment/plan.hpp"
#include "experiment/results_folder.hpp"
#include "experiment/runner.hpp"
#include "experiment/strategies.hpp"
#include "uv/handles.hpp"

namespace bench {

namespace {

std::string default_server() {
  char path[4096];
  std::size_t len = sizeof path;
  if (uv_exepath(path, &len) != 0) return "offload-server";
  std::string self(path, len);
  return self.substr(0, self.rfind('/') + 1) + "offload-server";
}

}  // namespace

int run_experiment(const ExperimentOptions& options, int argc, char** argv) {
  const std::string program =
      options.server_program.empty() ? default_server() : options.server_program;
  if (access(program.c_str(), X_OK) != 0) {
    std::fprintf(stderr,
                 "offload-bench experiment: cannot run the server %s (build it, or give "
                 "--server PATH)\n",
                 program.c_str());
    return options.server_program.empty() ? 1 : 2;
  }
  // The strategies are the server's to name: asked once, before anything is planned.
  StrategyRegistry strategies;
  if (std::string why = ask_server_strategies(program, strategies); !why.empty()) {
    strategies = builtin_strategies();
    std::fprintf(stderr,
                 "offload-bench experiment: %s does not list its strategies (%s): taking "
                 "them as %s\n",
                 program.c_str(), why.c_str(), strategies.names_text().c_str());
  }
  if (std::string err = check_strategies(options.strategies, strategies); !err.empty()) {
    std::fprintf(stderr, "offload-bench experiment: %s\n", err.c_str());
    return 2;
  }
  Plan plan = make_plan(options, strategies);
  if (std::string err = check_plan(plan); !err.empty()) {
    std::fprintf(stderr, "offload-bench experiment: %s\n", err.c_str());
    return 2;
  }
  // Before the loop and the sentinel thread exist: every thread after inherits the CPUs.
  if (!options.harness_cpus.empty()) {
    if (std::string err = pin_this_thread(options.harness_cpus); !err.empty()) {
      std::fprintf(stderr, "offload-bench experiment: --harness-cpus %s: %s\n",
                   options.harness_cpus.c_str(), err.c_str());
      return 2;
    }
  }
  ResultsFolder folder;
  if (std::string err = folder.create(options.results_dir, options.label); !err.empty()) {
    std::fprintf(stderr, "offload-bench experiment: %s\n", err.c_str());
    return 1;
  }

  uv_loop_t loop;
  uv_loop_init(&loop);
  int status = 0;
  {
    Experiment experiment(&loop, std::move(plan), program, folder,
                          std::vector<std::string>(argv, argv + argc));
    std::optional<uvx::Signal> sigint, sigterm;
    sigint.emplace(&loop, SIGINT, [&] { experiment.interrupt(); });
    sigterm.emplace(&loop, SIGTERM, [&] { experiment.interrupt(); });
    experiment.on_finished = [&] {
      sigint->close();
      sigterm->close();
    };
    experiment.start();
    uv_run(&loop, UV_RUN_DEFAULT);
    status = experiment.exit_status();
  }
  uv_run(&loop, UV_RUN_DEFAULT);  // close callbacks of everything the experiment owned
  if (uv_loop_close(&loop) != 0) std::fprintf(stderr, "offload-bench: a libuv handle leaked\n");
  return status;
}

}  // namespace bench
