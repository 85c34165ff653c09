// The strategies an experiment may compare, as the server it starts lists them
// (`offload-server --list-strategies --json`, asked once per experiment): their names, in the
// server's order, and which of the server's flags apply to each. The harness branches on no
// strategy's name: knob scopes, the pool size and the ratio baseline come from this list.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bench {

struct Strategy {
  std::string name;
  std::string description;
  bool workload_in_server = true;  // false: its jobs run in worker processes
  std::vector<std::string> knobs;  // the server's flags (without "--") that apply to it

  bool has_knob(std::string_view flag) const;
  // A strategy with a pool has a size (--workers); one without runs its jobs on the event
  // loop itself. The list says no more, so this is how the harness tells them apart.
  bool has_pool() const { return has_knob("workers"); }
};

struct StrategyRegistry {
  std::vector<Strategy> strategies;  // in the server's order
  std::string source;                // "server", or "built-in" for a server that lists none

  const Strategy* find(std::string_view name) const;
  // Whether the server's flag means something for `s`: `s` lists it, or no strategy does.
  // The list names only the flags that some strategies take and others do not (a pool's
  // size, its workers' scheduling); one that every strategy takes (--loop-cpu) is in none.
  bool applies(const Strategy& s, std::string_view flag) const;
  // "inline, thread, process or uvpool", for error lines.
  std::string names_text() const;
  // The baseline of the "x inline" ratios: the first strategy without a pool, whose jobs run
  // on the loop (nullptr when every strategy has one).
  const Strategy* loop_strategy() const;
  // The list as meta.json records it: an array of {name, description, workload_in_server,
  // knobs}, in order.
  std::string json() const;
};

// Reads the server's one line of JSON: {"strategies": [{"name", "description",
// "workload_in_server", "knobs"}, ...]}. Returns "" or what is wrong with it.
std::string parse_strategy_list(std::string_view text, StrategyRegistry& out);

// What offload-server listed before it could say so itself (inline, thread, process, uvpool
// and the knobs each takes): for a server that does not know --list-strategies.
StrategyRegistry builtin_strategies();

// "" when every name in `wanted` is in the list, else the line for --strategies: "--strategies
// inline,fast: must list inline, thread, process or uvpool".
std::string check_strategies(const std::vector<std::string>& wanted,
                             const StrategyRegistry& registry);

// Runs `program --list-strategies --json` (its environment without the server's variables,
// bounded in time) and reads its answer into `out` (source "server"). Returns "" or why it
// could not; `out` is then untouched.
std::string ask_server_strategies(const std::string& program, StrategyRegistry& out);

}  // namespace bench
