// `offload-bench experiment`'s options: the configuration axes, phases, results, server
// arguments, knob sweeps (--sweep), SLOs (--slo) and the configuration they speak for
// (--choose). Parsed from one table, like the load run's (cli/option_table.hpp).
#include <algorithm>
#include <thread>

#include "cli/option_table.hpp"
#include "cli/options.hpp"
#include "experiment/knobs.hpp"
#include "experiment/validity.hpp"

namespace bench {

using namespace cli;

namespace {

constexpr const char* kDefaultLoad = "10%,25%,50%,70%,85%,100%,120%";

const std::vector<Option<ExperimentOptions>>& experiment_table();

// --sweep KEY=V1,V2: the configuration axes (strategy, workers, fib, payload) are the same as
// their flags; any other key is a server knob whose values are checked here and kept in
// their canonical form.
std::string apply_sweep(const std::string& text, ExperimentOptions& e) {
  const auto eq = text.find('=');
  const std::string key = text.substr(0, eq);
  if (eq == std::string::npos || eq + 1 >= text.size())
    return "must be KEY=V1,V2,..., e.g. worker-nice=0,19";
  const std::string values = text.substr(eq + 1);
  const std::pair<const char*, const char*> axes[] = {{"strategy", "--strategies"},
                                                      {"workers", "--workers"},
                                                      {"fib", "--fib"},
                                                      {"payload", "--payload"}};
  for (const auto& [axis, flag] : axes) {
    if (key != axis) continue;
    for (const auto& o : experiment_table())
      if (std::string(o.flag) == flag) return o.apply(values, e);
  }
  const KnobSpec* knob = find_knob(key);
  if (knob == nullptr)
    return "unknown key " + key + " (strategy, workers, fib, payload, " + knob_keys_text() + ")";
  for (const auto& s : e.sweeps)
    if (s.key == key) return key + " is swept twice: give all its values in one --sweep";
  KnobSweep sweep{key, {}};
  if (std::string err = parse_list(
          values,
          [&](const std::string& v) -> std::string {
            std::string canonical;
            if (std::string err = normalize_knob_value(*knob, v, canonical); !err.empty())
              return key + " " + v + ": " + err;
            sweep.values.push_back(canonical);
            return {};
          });
      !err.empty())
    return err;
  e.sweeps.push_back(sweep);
  return {};
}

const std::vector<Option<ExperimentOptions>>& experiment_table() {
  using O = Option<ExperimentOptions>;
  using E = ExperimentOptions;
  auto seconds = [](double E::*field) {
    return [field](const std::string& v, E& e) -> std::string {
      if (!parse_duration(v, e.*field)) return flags::kDurationRule;
      return {};
    };
  };
  static const std::vector<O> table = {
      {"--server", nullptr, "PATH",
       "offload-server program (default: the one next to offload-bench)",
       [](const std::string& v, E& e) -> std::string {
         if (v.empty()) return "must be a path";
         e.server_program = v;
         return {};
       }},
      {"--strategies", nullptr, "LIST",
       "strategies to compare, as the server names them\n"
       "(offload-server --list-strategies) (default\n"
       "inline,thread,process)",
       [](const std::string& v, E& e) {
         e.strategies.clear();
         // Which names exist is the server's to say: checked against its list once the
         // experiment has asked it (check_strategies).
         return parse_list(v, [&](const std::string& s) -> std::string {
           if (s.empty() ||
               s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos)
             return "must list strategy names, e.g. inline,thread";
           e.strategies.push_back(s);
           return {};
         });
       }},
      {"--fib", nullptr, "LIST",
       "FIB values N of fib(N), the heavy job's size; a list sweeps (default 30)",
       [](const std::string& v, E& e) {
         e.fibs.clear();
         return parse_list(v, [&](const std::string& s) -> std::string {
           std::uint64_t n = 0;
           if (!parse_u64(s, 1, 92, n)) return "must list integers from 1 to 92";
           e.fibs.push_back(static_cast<unsigned>(n));
           return {};
         });
       }},
      {"--workload", nullptr, "W", "the heavy job: fib, or gpg (GnuPG decryption) (default fib)",
       [](const std::string& v, E& e) -> std::string {
         if (v != "fib" && v != "gpg") return "must be fib or gpg";
         e.workload = v;
         return {};
       }},
      {"--payload", nullptr, "LIST",
       "gpg: payload sizes decrypted per job, e.g. 4k,64k,1m (default 64k)",
       [](const std::string& v, E& e) {
         e.payloads.clear();
         return parse_list(v, [&](const std::string& s) -> std::string {
           std::uint64_t n = 0;
           if (!parse_size(s, n)) return "must list sizes from 1 to 64m (bytes, or with k or m)";
           e.payloads.push_back(n);
           return {};
         });
       }},
      {"--workers", nullptr, "LIST",
       "pool sizes, threads or processes (default: the number of cores)",
       [](const std::string& v, E& e) {
         e.workers.clear();
         return parse_list(v, [&](const std::string& s) -> std::string {
           std::uint64_t n = 0;
           if (!parse_u64(s, 1, 256, n)) return "must list integers from 1 to 256";
           e.workers.push_back(static_cast<unsigned>(n));
           return {};
         });
       }},
      {"--heavy-conns", nullptr, "N", "closed-loop connections on / (default: twice the cores)",
       [](const std::string& v, E& e) -> std::string {
         std::uint64_t n = 0;
         if (!parse_u64(v, 1, 10000, n)) return integer_rule(1, 10000);
         e.heavy_conns = static_cast<unsigned>(n);
         return {};
       }},
      {"--probe-rate", nullptr, "R", "open-loop requests per second on /hi (default 400)",
       [](const std::string& v, E& e) -> std::string {
         if (!parse_number(v, e.probe_rate) || e.probe_rate <= 0 || e.probe_rate > 1e6)
           return "must be a number of requests per second, above 0";
         return {};
       }},
      {"--poisson", nullptr, nullptr, "probe arrivals with exponential gaps (default: fixed gaps)",
       [](const std::string&, E& e) -> std::string {
         e.poisson = true;
         return {};
       }},
      {"--probe-max-conns", nullptr, "N", "most connections the probe may open (default 1000)",
       [](const std::string& v, E& e) -> std::string {
         std::uint64_t n = 0;
         if (!parse_u64(v, 1, 100000, n)) return integer_rule(1, 100000);
         e.probe_max_conns = static_cast<unsigned>(n);
         return {};
       }},
      {"--load", nullptr, "LIST",
       "offered heavy load levels, each a phase of its own: N% of a\n"
       "capacity or an absolute Nrps, e.g. 25%,50%,200rps; none:\n"
       "capacity runs only (default\n"
       "10%,25%,50%,70%,85%,100%,120%)",
       [](const std::string& v, E& e) { return parse_load_levels(v, e.levels); }},
      {"--load-basis", nullptr, "B",
       "what N% is of: max, the highest capacity among the\n"
       "configurations of one job size (the same rates for\n"
       "all), or own, each configuration's (default max)",
       [](const std::string& v, E& e) { return parse_load_basis(v, e.load_basis); }},
      {"--heavy-arrivals", nullptr, "A",
       "load phases' heavy arrivals: poisson or fixed (default poisson)",
       [](const std::string& v, E& e) -> std::string {
         if (v != "poisson" && v != "fixed") return "must be poisson or fixed";
         e.heavy_poisson = v == "poisson";
         return {};
       }},
      {"--heavy-max-conns", nullptr, "N",
       "most connections the open-loop heavy stream may open\n"
       "(default 512: past the server's queue, 503s come back\n"
       "at once and free them)",
       [](const std::string& v, E& e) -> std::string {
         std::uint64_t n = 0;
         if (!parse_u64(v, 1, 100000, n)) return integer_rule(1, 100000);
         e.heavy_max_conns = static_cast<unsigned>(n);
         return {};
       }},
      {"--knee-factor", nullptr, "X",
       "responsive capacity: the highest load at which /hi p99\n"
       "(and at every lower level) stays within X times its\n"
       "unloaded p99 (default 2)",
       [](const std::string& v, E& e) -> std::string {
         if (!parse_number(v, e.knee_factor) || !(e.knee_factor > 1) || e.knee_factor > 1000)
           return "must be a number above 1 (a ratio of /hi p99s)";
         return {};
       }},
      {"--phase", nullptr, "SEC", "length of each loaded phase (default 3)", seconds(&E::phase_s)},
      {"--idle", nullptr, "SEC", "length of the idle phases before and after (default 1)",
       seconds(&E::idle_s)},
      {"--calibrate", nullptr, "SEC",
       "job-cost measurement, 1 connection on / (default 1.5, >= 3 calls)",
       seconds(&E::calibrate_s)},
      {"--repeats", nullptr, "N",
       "runs of every configuration, interleaved, their order\n"
       "shuffled in each round by --seed (default 2; with\n"
       "--load, the level runs: capacity is measured once)",
       [](const std::string& v, E& e) -> std::string {
         std::uint64_t n = 0;
         if (!parse_u64(v, 1, 100, n)) return integer_rule(1, 100);
         e.repeats = static_cast<unsigned>(n);
         return {};
       }},
      {"--timeout", nullptr, "SEC",
       "a request unanswered this long is a timeout error (default 30)", seconds(&E::timeout_s)},
      {"--seed", nullptr, "N", "seed of the Poisson arrivals and of the run order (default 1)",
       [](const std::string& v, E& e) -> std::string {
         if (!parse_u64(v, 0, UINT64_MAX, e.seed)) return "must be a non-negative integer";
         return {};
       }},
      {"--results", nullptr, "DIR", "parent folder of the run's folder (default results)",
       [](const std::string& v, E& e) -> std::string {
         if (v.empty()) return "must be a directory";
         e.results_dir = v;
         return {};
       }},
      {"--label", nullptr, "TEXT", "appended to the run id: results/<YYYYmmdd-HHMMSS>-<label>",
       [](const std::string& v, E& e) -> std::string {
         if (v.empty() || v.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789._-") != std::string::npos)
           return "must be letters, digits, '.', '_' or '-'";
         e.label = v;
         return {};
       }},
      {"--server-arg", nullptr, "ARG",
       "extra argument for every server, e.g. --server-arg=--max-queue=64",
       [](const std::string& v, E& e) -> std::string {
         e.server_args.push_back(v);
         return {};
       }},
      {"--remote-nats", nullptr, "URL",
       "remote: use this broker, nats://HOST:PORT, and the workers\n"
       "you started on it, instead of a private broker and\n"
       "--workers local workers per server (its token from\n"
       "NATS_TOKEN: the command line goes into meta.json)",
       [](const std::string& v, E& e) -> std::string {
         if (v.rfind("nats://", 0) != 0 && v.rfind("tls://", 0) != 0)
           return "must be a URL like nats://HOST:PORT";
         e.remote_nats = v;
         return {};
       }},
      {"--sweep", nullptr, "KEY=LIST",
       "sweep a server knob, e.g. worker-nice=0,19 (repeatable: the\n"
       "configurations are the cross product of every sweep\n"
       "with the strategies, job sizes and workers). KEY:\n"
       "strategy, workers, fib, payload (as their flags),\n"
       "worker-nice, worker-policy (normal, batch, idle),\n"
       "loop-cpu (a CPU, or none), worker-cpus (0-1; 0+2 for\n"
       "CPUs 0 and 2; all), min-workers, max-workers,\n"
       "worker-idle-timeout (s), max-jobs-per-worker, max-queue.\n"
       "A knob that means nothing for a strategy (worker knobs\n"
       "for inline, pool sizes for thread) is not passed to it\n"
       "and not in its label",
       [](const std::string& v, E& e) { return apply_sweep(v, e); }},
      {"--slo", nullptr, "OBJECTIVE",
       "an objective for each run's heavy+probe phase, like k6's\n"
       "thresholds: 'hi.p99<2ms', 'heavy.rps>1000',\n"
       "'hi.error_rate<=1%' (repeatable; all must hold).\n"
       "STREAM.METRIC OP VALUE: STREAM hi or heavy; METRIC p50,\n"
       "p90, p95, p99, p999, max, mean (VALUE in us, ms or s; ms\n"
       "without a unit), rps (req/s), errors (a count),\n"
       "error_rate (0..1, or 1%); OP <, <=, > or >=",
       [](const std::string& v, E& e) -> std::string {
         Slo slo;
         if (std::string err = parse_slo(v, slo); !err.empty()) return err;
         e.slos.push_back(slo);
         return {};
       }},
      {"--choose", nullptr, "LABEL",
       "the configuration whose objectives set the exit status\n"
       "(default: the only one; with several, the best: passing\n"
       "every objective with the highest heavy req/s)",
       [](const std::string& v, E& e) -> std::string {
         if (v.empty()) return "must be a configuration label, e.g. thread-fib30-w2-nice19";
         e.choose = v;
         return {};
       }},
      {"--strict", nullptr, nullptr,
       "exit 4 when any measured row is invalid (after writing\n"
       "everything; see the validity checks below)",
       [](const std::string&, E& e) -> std::string {
         e.strict = true;
         return {};
       }},
      {"--harness-cpus", nullptr, "LIST",
       "pin offload-bench (load generator, sentinel) to these CPUs,\n"
       "e.g. 0 (default: unpinned, recorded in meta.json)",
       [](const std::string& v, E& e) -> std::string {
         if (std::string err = check_cpu_list(v); !err.empty()) return err;
         e.harness_cpus = v;
         return {};
       }},
      {"--server-cpus", nullptr, "LIST",
       "start every server pinned to these CPUs, e.g. 1 (its workers\n"
       "too, unless a knob moves them) (default: unpinned)",
       [](const std::string& v, E& e) -> std::string {
         if (std::string err = check_cpu_list(v); !err.empty()) return err;
         e.server_cpus = v;
         return {};
       }},
      {"--quiet", nullptr, nullptr, "no progress line on stderr",
       [](const std::string&, E& e) -> std::string {
         e.quiet = true;
         return {};
       }},
  };
  return table;
}

}  // namespace

ParseResult parse_experiment_options(const std::vector<std::string>& args, ExperimentOptions& out) {
  bool has_fib = false, has_payload = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const std::string next = i + 1 < args.size() ? args[i + 1] : "";
    has_fib = has_fib || a == "--fib" || a.rfind("--fib=", 0) == 0 ||
              a.rfind("--sweep=fib=", 0) == 0 || (a == "--sweep" && next.rfind("fib=", 0) == 0);
    has_payload = has_payload || a == "--payload" || a.rfind("--payload=", 0) == 0 ||
                  a.rfind("--sweep=payload=", 0) == 0 ||
                  (a == "--sweep" && next.rfind("payload=", 0) == 0);
  }
  // Until --load says otherwise; the offered-load curve is the experiment's main answer.
  parse_load_levels(kDefaultLoad, out.levels);
  ParseResult r = parse_with(experiment_table(), args, out);
  if (r.status != ParseStatus::ok) return r;
  // A knob given to every server with --server-arg is recorded like a swept one, so it must
  // be valid, and given once.
  for (const auto& [key, value] : knobs_in_server_args(out.server_args)) {
    for (const auto& s : out.sweeps)
      if (s.key == key)
        return {ParseStatus::error,
                "--server-arg --" + key + ": " + key + " is also swept: give it with --sweep only"};
    std::string canonical;
    if (std::string err = normalize_knob_value(*find_knob(key), value, canonical); !err.empty())
      return {ParseStatus::error, "--server-arg --" + key + " " + value + ": " + err};
  }
  if (!out.choose.empty() && out.slos.empty())
    return {ParseStatus::error, "--choose " + out.choose + ": needs at least one --slo"};
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  if (out.workers.empty()) out.workers = {cores};
  if (out.heavy_conns == 0) out.heavy_conns = 2 * cores;
  if (out.heavy_max_conns == 0) out.heavy_max_conns = 512;
  if (out.workload == "fib" && has_payload)
    return {ParseStatus::error, "--payload is for --workload gpg (fib sizes its jobs with --fib)"};
  if (out.workload == "gpg" && has_fib)
    return {ParseStatus::error, "--fib is for --workload fib (gpg sizes its jobs with --payload)"};
  return {};
}

std::string experiment_usage() {
  return "usage: offload-bench experiment [options]\n\n"
         "Measures, for each server configuration (strategy x job size x workers x swept\n"
         "knobs; the job size is FIB, or the payload with --workload gpg), how /hi answers as\n"
         "the heavy load on / grows. First a capacity run per configuration: its job cost (ms,\n"
         "one connection on /), then the phases idle-before, probe-only, heavy-only (a\n"
         "closed loop that saturates the server: its req/s is the capacity), heavy+probe and\n"
         "idle-after. Then, per repeat (interleaved, order shuffled by --seed), a level run:\n"
         "probe-only (the unloaded /hi reference), then one `load` phase per --load level:\n"
         "the heavy stream open loop at the offered rate (latency from the intended send\n"
         "time), the /hi probe beside it. Past a configuration's capacity its queue fills\n"
         "and it answers 503: that is part of the curve. The answer it prints first: each\n"
         "configuration's responsive capacity, the highest offered load at which /hi p99\n"
         "stayed within --knee-factor of its unloaded p99 at that and every lower level.\n\n"
         "Every 500 ms it records per-stream latency, the server's processes (RSS, CPU), its\n"
         "/metrics (queue, loop lag, per-job queue wait / service / hand-back) and the\n"
         "machine (steal, a stall sentinel, CPU used by other programs); every row is\n"
         "checked for validity (below). Results go to <results>/<run-id>/ (summary.csv,\n"
         "series.csv, resources.csv, metrics.csv, meta.json; see harness/RESULTS.md);\n"
         "<results>/latest points to it. --load none runs the capacity runs alone, once per\n"
         "repeat.\n\n"
         "With --slo, each capacity run's heavy+probe phase is checked against every\n"
         "objective; a configuration passes when each of its runs passed. The table,\n"
         "summary.csv (slo_pass, slo_detail) and meta.json say which passed, and the exit\n"
         "status says whether the chosen configuration did: the one given with --choose,\n"
         "else the only one, else the best (passing every objective with the highest heavy\n"
         "req/s; configurations are only ranked within one workload and job size).\n\n"
         "options:\n" +
         usage_lines(experiment_table()) + "\n" + validity::help_text() +
         "\nexit status: 0 done (and with --slo: the chosen configuration passed), 1 a server\n"
         "failed (died, never became ready, or did not exit cleanly), 2 bad options,\n"
         "3 the run completed but the chosen configuration failed an objective (or, with\n"
         "several and no --choose, none passed them all), 4 with --strict: a measured row\n"
         "is invalid, 130 interrupted (files hold what was measured)\n\n"
         "examples:\n"
         "  offload-bench experiment --strategies inline,thread,process --fib 30\n"
         "  offload-bench experiment --load 100rps,200rps,400rps --load-basis own\n"
         "  offload-bench experiment --strategies thread,process --sweep worker-nice=0,19\n"
         "  offload-bench experiment --strategies thread --sweep worker-policy=normal,idle \\\n"
         "      --sweep loop-cpu=none,0 --slo 'hi.p99<2ms' --slo 'heavy.rps>300'\n";
}

}  // namespace bench
