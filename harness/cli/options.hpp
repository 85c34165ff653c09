// Command-line options of `offload-bench` (a load run) and `offload-bench experiment`,
// parsed from one table per command so --help, parsing and validation cannot drift apart.
// A bad flag is one line naming the rule it breaks, and exit status 2.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "client/target.hpp"
#include "experiment/load_grid.hpp"
#include "experiment/slo.hpp"
#include "load/stream_spec.hpp"

namespace bench {

struct RunOptions {
  Target target;
  std::vector<StreamSpec> streams;
  std::string hgrm_dir;   // empty: no .hgrm files
  std::string json_path;  // --json: "" none, "-" stdout (the table then goes to stderr)
  std::string csv_dir;    // --csv: a results folder holding this run
  std::vector<Slo> slos;  // --slo: checked on the run's streams by role (exit 3 on a failure)
  bool quiet = false;
  std::vector<std::string> command;  // argv, for the JSON and meta.json (set by main)
};

// One --sweep of a server knob (experiment/knobs.hpp): its key and canonical values.
struct KnobSweep {
  std::string key;
  std::vector<std::string> values;
};

struct ExperimentOptions {
  std::string server_program;  // empty: offload-server next to offload-bench
  // Names the server must list (checked once it has been asked: check_strategies).
  std::vector<std::string> strategies = {"inline", "thread", "process"};
  std::string workload = "fib";  // fib | gpg
  std::vector<unsigned> fibs = {30};
  std::vector<std::uint64_t> payloads = {64 * 1024};  // gpg: bytes decrypted per job
  std::vector<unsigned> workers;                      // empty: the number of cores
  unsigned heavy_conns = 0;                           // 0: twice the number of cores
  double probe_rate = 400;
  bool poisson = false;
  unsigned probe_max_conns = 1000;
  double phase_s = 3;
  double idle_s = 1;
  double calibrate_s = 1.5;
  unsigned repeats = 2;
  double timeout_s = 30;
  std::uint64_t seed = 1;
  std::string results_dir = "results";
  std::string label;
  std::vector<std::string> server_args;
  // --remote-nats: the broker (and its workers, started elsewhere) that servers of a strategy
  // taking --nats (remote) use; "": each runs its own broker and --workers local workers.
  std::string remote_nats;
  std::vector<KnobSweep> sweeps;  // knob sweeps in the order given (strategy, workers, fib and
                                  // payload sweeps set the lists above)
  std::vector<Slo> slos;          // checked on the heavy+probe phase of every run
  // The offered-load curve: after each configuration's capacity run, level runs at these
  // rates (open loop on /, the probe beside it); empty: capacity runs only, as repeats.
  std::vector<LoadLevel> levels;
  LoadBasis load_basis = LoadBasis::max;
  bool heavy_poisson = true;     // heavy arrivals in load phases: exponential gaps
  unsigned heavy_max_conns = 0;  // open-loop heavy connections at most; 0: see parse
  double knee_factor = 2;        // responsive while /hi p99 <= factor x unloaded p99
  bool strict = false;           // exit 4 when any measured row is invalid
  std::string harness_cpus;      // CPU lists to pin each side to; "" unpinned
  std::string server_cpus;
  std::string choose;  // --choose LABEL; "" for the default rule (choice.hpp)
  bool quiet = false;
};

enum class ParseStatus { ok, help, error };

struct ParseResult {
  ParseStatus status = ParseStatus::ok;
  std::string message;  // the error line, without the program name
};

// `args` are the arguments after the program name (and after "experiment").
ParseResult parse_run_options(const std::vector<std::string>& args, RunOptions& out);
ParseResult parse_experiment_options(const std::vector<std::string>& args, ExperimentOptions& out);

std::string run_usage();
std::string experiment_usage();

// The harness's units, as flags/flag_units.hpp reads them (the server's reader too):
// "1.5", "1.5s", "500ms", "2m" -> seconds; false when not a positive finite duration.
bool parse_duration(const std::string& text, double& seconds);
// "4096", "4k", "1m" (binary units) -> bytes, 1 .. 64 MiB: what the server's --payload-bytes
// takes.
bool parse_size(const std::string& text, std::uint64_t& bytes);
// 65536 -> "64k", 1048576 -> "1m", 1000 -> "1000": short names for configuration labels.
std::string size_label(std::uint64_t bytes);

}  // namespace bench
