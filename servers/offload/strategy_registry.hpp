// The strategies, listed once (strategy_registry.cpp): for each its name, factory, --help line,
// the server flags that apply to it and whether the workload runs in the server's process.
// Config validation, --help, --list-strategies, the service's set-up, /metrics and the tests
// read this instead of comparing names.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "offloader.hpp"

namespace offload {

struct Strategy {
  std::string name;         // as --strategy spells it
  std::string description;  // one line, for --help and --list-strategies
  // The server's flags (long names without "--") that apply to it: of "workers", "max-queue",
  // "job-timeout", "worker-nice", "worker-policy", "worker-cpus", "min-workers", "max-workers",
  // "worker-idle-timeout", "max-jobs-per-worker". A strategy without "workers" runs its jobs
  // on the event loop itself, its one worker.
  std::vector<std::string> knobs;
  // The workload runs in the server's process (its threads or its loop), not in worker
  // processes that rebuild it from its worker arguments.
  bool workload_in_server = true;
  std::unique_ptr<Offloader> (*make)(const OffloadSetup& setup) = nullptr;
  // Runs jobs on the event loop itself, asynchronously: only a workload whose jobs wait on
  // other processes (Workload::runs_async) can run on it.
  bool needs_async_workload = false;
  // Runs every workload, fib included (what the fib-driven tests take).
  bool runs_any_workload() const { return !needs_async_workload; }

  bool has_knob(std::string_view flag) const;
  bool runs_on_loop() const { return !has_knob("workers"); }
  // The workers it runs with --workers N: 1 when its worker is the loop.
  unsigned workers(unsigned configured) const { return runs_on_loop() ? 1 : configured; }
};

// For a strategy's entry: the knobs of a pool of workers (threads or processes), "workers"
// "max-queue" "job-timeout" and the scheduling knobs, then its own.
std::vector<std::string> pool_knobs(std::initializer_list<const char*> own = {});
// For a strategy's entry: its factory, when its offloader is made from the setup alone.
template <class StrategyOffloader>
std::unique_ptr<Offloader> make_from_setup(const OffloadSetup& setup) {
  return std::make_unique<StrategyOffloader>(setup);
}

// In the table's order: inline, thread, process, uvpool, async.
const std::vector<Strategy>& strategies();
const Strategy* find_strategy(std::string_view name);
std::vector<std::string> strategy_names();
// The names of the strategies `keep` accepts, in the table's order.
std::vector<std::string> strategy_names(const std::function<bool(const Strategy&)>& keep);

// The names joined by `separator`: "inline, thread, process, uvpool".
std::string strategy_list(std::string_view separator);

// --list-strategies: a line per strategy (name, description, knobs).
std::string strategies_text();
// --list-strategies --json, one line: {"strategies":[{"name":..,"description":..,
// "workload_in_server":..,"knobs":[..]},..]}
std::string strategies_json();

}  // namespace offload
