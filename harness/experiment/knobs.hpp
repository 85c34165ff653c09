// The server knobs an experiment sets per configuration (issue 7): scheduling (worker nice and
// policy, loop and worker CPUs) and pool shape (elastic sizes, recycling, queue). One table
// says, per knob, its --sweep key (the server's flag without "--"), its CSV column, the
// environment fallback the server would otherwise read, its default, and its short form in
// configuration labels. Which strategies a knob means something for is the server's to say:
// its strategy list names the flags that apply to each (strategies.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "experiment/strategies.hpp"

namespace bench {

struct KnobSpec {
  const char* key;       // --sweep key, e.g. worker-nice
  const char* column;    // CSV column, e.g. worker_nice
  const char* env;       // the server's environment fallback, e.g. WORKER_NICE
  const char* fallback;  // recorded value when not set ("" for loop/worker CPUs: not pinned)
  bool numeric;          // meta.json writes it as a number
};

// In CSV column order (harness/RESULTS.md); `knobs_refused` follows them in every CSV.
const std::vector<KnobSpec>& knob_specs();
const KnobSpec* find_knob(std::string_view key);
// Every variable offload-server reads in place of a flag (its --help shows each in brackets),
// the knobs' among them. An experiment removes them all from each server's environment, so
// the arguments alone configure it, whatever the shell holds (a script's own FIB or WORKERS).
const std::vector<std::string>& server_env_names();
// What an experiment removes: those, and the variables of the server's libraries that would
// configure it behind its flags' back (UV_THREADPOOL_SIZE sizes uvpool's pool).
const std::vector<std::string>& server_env_removed();
std::string knob_keys_text();  // "worker-nice, worker-policy, ..." for error lines
// Whether the knob means something for the strategy, by the server's list of strategies
// (StrategyRegistry::applies).
bool knob_applies(const KnobSpec& knob, const Strategy& strategy, const StrategyRegistry& registry);

// Checks one value against the server's rule and writes its canonical form to `out`:
// "0+1" -> "0,1" for worker-cpus (a comma separates sweep values), "500ms" -> "0.5" for the
// idle timeout, "none" (loop-cpu) and "all" (worker-cpus) -> "" (not set). Returns the broken
// rule, or "".
std::string normalize_knob_value(const KnobSpec& knob, const std::string& text, std::string& out);

// The short form in a configuration label, from a canonical value: nice19, sched-idle, loop0,
// loopany, wcpu0-1, min1, max4, idle2s, recycle100, q64. Only [A-Za-z0-9._-].
std::string knob_label(const KnobSpec& knob, const std::string& value);

// Server arguments for one knob at a canonical value ("" for an unset CPU knob: no flag).
std::vector<std::string> knob_args(const KnobSpec& knob, const std::string& value);

// Knobs given with --server-arg (--worker-nice=19, or --worker-nice then 19): key -> raw value.
std::vector<std::pair<std::string, std::string>> knobs_in_server_args(
    const std::vector<std::string>& server_args);

// "" when `list` ("0-1,3") names only CPUs of this machine, else the rule it breaks.
std::string check_cpu_list(const std::string& list);

}  // namespace bench
