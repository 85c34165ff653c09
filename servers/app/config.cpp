// Flag parsing from one table (the project's flag library, flags/, which offload-bench
// shares): each option's flag, environment variable, help line and parser live together, so
// --help, the env fallbacks and the checks cannot drift apart.
#include "config.hpp"

#include "flag_cpu_list.hpp"
#include "flag_help.hpp"
#include "flag_table.hpp"
#include "flag_units.hpp"
#include "strategy_registry.hpp"
#include "workload_registry.hpp"

#include <arpa/inet.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <thread>
#include <vector>

namespace app {

namespace {

using Option = flags::Option<Config>;

// The CPUs a list may name: every CPU of this machine, online or not (the workers' affinity
// is set per thread and may name a CPU that comes online later).
int machine_cpus() {
  return static_cast<int>(sysconf(_SC_NPROCESSORS_CONF));
}

std::string cpu_list_rule() {
  return "must be a CPU list like 1 or 0-3,6 with CPUs from 0 to " +
         std::to_string(machine_cpus() - 1);
}

template <class T>
std::function<std::string(const std::string&, Config&)> integer(T Config::*field, std::uint64_t lo,
                                                                std::uint64_t hi) {
  return [=](const std::string& text, Config& c) -> std::string {
    std::uint64_t v = 0;
    if (!flags::parse_u64(text, lo, hi, v)) return flags::integer_rule(lo, hi);
    c.*field = static_cast<T>(v);
    return {};
  };
}

std::function<std::string(const std::string&, Config&)> seconds(double Config::*field) {
  return [=](const std::string& text, Config& c) { return flags::parse_seconds(text, c.*field); };
}

// The workloads' own flags (workload.hpp's WorkloadFlag), after --workload, each help line
// led by its workload's name: a value is checked whichever workload runs, and kept as text
// for the workload's configure().
std::vector<Option> with_workload_flags(std::vector<Option> table) {
  std::vector<Option> own;
  for (const auto& name : workloads::workload_names()) {
    for (auto& f : workloads::make_workload(name)->flags()) {
      own.push_back({f.flag, f.env, f.value_name, name + ": " + f.help,
                     [setting = std::string(f.flag).substr(2), check = std::move(f.check)](
                         const std::string& text, Config& c) -> std::string {
                       if (std::string rule = check ? check(text) : ""; !rule.empty()) return rule;
                       c.workload_flags[setting] = text;
                       return {};
                     }});
    }
  }
  const auto after = std::find_if(table.begin(), table.end(), [](const Option& o) {
    return std::string(o.flag) == "--workload";
  });
  table.insert(after == table.end() ? after : after + 1, own.begin(), own.end());
  return table;
}

const std::vector<Option>& options() {
  static const std::vector<Option> table = with_workload_flags({
      {"--strategy", "STRATEGY", "S",
       "where jobs run: " + offload::strategy_list(" | ") +
           " (default thread; --list-strategies describes them)",
       [](const std::string& t, Config& c) -> std::string {
         if (offload::find_strategy(t) == nullptr)
           return "must be one of " + offload::strategy_list(", ");
         c.strategy = t;
         return {};
       }},
      {"--host", "HOST", "ADDR",
       "address to listen on, IPv4 or IPv6 (default 127.0.0.1; a HOST that is not an address, "
       "as some shells set, is ignored)",
       [](const std::string& t, Config& c) -> std::string {
         unsigned char buf[16];
         const std::string host = t == "localhost" ? "127.0.0.1" : t;
         if (inet_pton(AF_INET, host.c_str(), buf) != 1 &&
             inet_pton(AF_INET6, host.c_str(), buf) != 1)
           return "must be an IPv4 or IPv6 address";
         c.host = host;
         return {};
       },
       "is not an address (tcsh sets HOST to the machine's name): ignored; use --host"},
      {"--port", "PORT", "N", "TCP port, 0 for any free one (default 8080)",
       integer(&Config::port, 0, 65535)},
      {"--fib", "FIB", "N", "fib(N) computed by GET / (default 30)", integer(&Config::fib, 1, 92)},
      {"--max-n", "MAX_N", "N", "largest N a client may ask for with /?n=N (default 45)",
       integer(&Config::max_n, 1, 92)},
      {"--workers", "WORKERS", "N", "threads or processes in the pool (default: cores)",
       integer(&Config::workers, 1, 256)},
      {"--max-queue", "MAX_QUEUE", "N",
       "jobs that may wait for a worker; more get 503 (default 128)",
       integer(&Config::max_queue, 0, 1'000'000)},
      {"--workload", "WORKLOAD", "W",
       "the heavy job: " + workloads::workload_list(" | ") +
           " (gpg: GnuPG decryption) (default fib)",
       [](const std::string& t, Config& c) -> std::string {
         if (!workloads::make_workload(t)) return "must be " + workloads::workload_choices();
         c.workload = t;
         return {};
       }},
      {"--worker-nice", "WORKER_NICE", "N",
       "niceness of worker threads/processes, -20..19 (default 0)",
       [](const std::string& t, Config& c) -> std::string {
         std::int64_t v = 0;
         if (!flags::parse_i64(t, -20, 19, v)) return flags::integer_rule(-20, 19);
         c.worker_nice = static_cast<int>(v);
         return {};
       }},
      {"--worker-policy", "WORKER_POLICY", "P",
       "scheduling policy of workers: normal | batch | idle (default normal)",
       [](const std::string& t, Config& c) -> std::string {
         if (t != "normal" && t != "batch" && t != "idle") return "must be normal, batch or idle";
         c.worker_policy = t;
         return {};
       }},
      {"--loop-cpu", "LOOP_CPU", "CPU",
       "pin the event loop to this CPU; workers then avoid it unless --worker-cpus says otherwise",
       [](const std::string& t, Config& c) -> std::string {
         const auto cpus = flags::parse_cpu_list(t, machine_cpus());
         if (!cpus || cpus->size() != 1) return "must be one CPU number of this machine";
         c.loop_cpu = cpus->front();
         return {};
       }},
      {"--worker-cpus", "WORKER_CPUS", "LIST",
       "CPUs the workers may use, e.g. 1 or 0-3,6 (default all)",
       [](const std::string& t, Config& c) -> std::string {
         const auto cpus = flags::parse_cpu_list(t, machine_cpus());
         if (!cpus) return cpu_list_rule();
         c.worker_cpus = flags::format_cpu_list(*cpus);
         return {};
       }},
      {"--min-workers", "MIN_WORKERS", "N",
       "process: elastic pool's size when idle (default --workers)",
       integer(&Config::min_workers, 1, 256)},
      {"--max-workers", "MAX_WORKERS", "N",
       "process: elastic pool's size under queueing (default --workers)",
       integer(&Config::max_workers, 1, 256)},
      {"--worker-idle-timeout", "WORKER_IDLE_TIMEOUT", "SEC",
       "process: a worker above --min-workers idle this long leaves (default 10)",
       seconds(&Config::worker_idle_timeout_s)},
      {"--max-jobs-per-worker", "MAX_JOBS_PER_WORKER", "N",
       "process: replace a worker after N jobs, 0 never (default 0)",
       integer(&Config::max_jobs_per_worker, 0, 1'000'000'000)},
      {"--idle-timeout", "IDLE_TIMEOUT", "SEC", "close a connection idle this long (default 60)",
       seconds(&Config::idle_timeout_s)},
      {"--header-timeout", "HEADER_TIMEOUT", "SEC",
       "time allowed to send a request, head and body, slowloris guard (default 10)",
       seconds(&Config::header_timeout_s)},
      {"--job-timeout", "JOB_TIMEOUT", "SEC",
       "answer 504 when a job is not done this long after it was accepted; 0: never "
       "(default 60; process: the worker is killed and replaced; inline: cannot apply)",
       [](const std::string& t, Config& c) -> std::string {
         if (t == "0") {
           c.job_timeout_s = 0;
           return {};
         }
         return flags::parse_seconds(t, c.job_timeout_s);
       }},
      {"--max-conns", "MAX_CONNS", "N",
       "client connections held at once; more are closed at once and counted in /metrics "
       "(default: the open-file limit less 64 and 8 per worker)",
       integer(&Config::max_conns, 1, 100'000'000)},
      {"--drain-timeout", "DRAIN_TIMEOUT", "SEC",
       "on SIGTERM, wait this long for requests in flight, then answer 503 (default 10)",
       seconds(&Config::drain_timeout_s)},
      {"--nats", "NATS_URL", "URL",
       "remote: the broker, nats://HOST:PORT (credentials: nats://USER:PASSWORD@HOST:PORT or "
       "nats://TOKEN@HOST:PORT), its workers started elsewhere (default: a private broker on "
       "127.0.0.1 and --workers local offload-workers)",
       [](const std::string& t, Config& c) -> std::string {
         if (t.rfind("nats://", 0) != 0 && t.rfind("tls://", 0) != 0)
           return "must be a URL like nats://HOST:PORT";
         c.nats_url = t;
         return {};
       }},
      {"--nats-token", "NATS_TOKEN", "TOKEN",
       "remote: the broker's token (prefer the variable: a command line is visible to every "
       "user of the host)",
       [](const std::string& t, Config& c) -> std::string {
         c.nats_token = t;
         return {};
       }},
      {"--remote-retries", "REMOTE_RETRIES", "N",
       "remote: times a job is published again when its worker dies holding it, then 502 "
       "(default 1)",
       integer(&Config::remote_retries, 0, 10)},
  });
  return table;
}

}  // namespace

workloads::Settings workload_settings(const Config& config) {
  workloads::Settings settings = {{"fib", std::to_string(config.fib)},
                                  {"max-n", std::to_string(config.max_n)}};
  for (const auto& [name, text] : config.workload_flags) settings[name] = text;
  return settings;
}

std::vector<FlagInfo> flags() {
  std::vector<FlagInfo> out;
  for (const auto& o : options())
    out.push_back({o.flag, o.env != nullptr ? o.env : "", o.value_name});
  return out;
}

std::size_t default_max_conns(unsigned workers) {
  // The server raises its soft limit to the hard one at start (run_service), so the hard limit
  // is the one it will run under.
  rlimit lim{};
  std::size_t fds = 1024;
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0)
    fds = lim.rlim_max == RLIM_INFINITY || lim.rlim_max > (1u << 20)
              ? std::size_t{1} << 20
              : static_cast<std::size_t>(lim.rlim_max);
  // The listener, stdio, the mailbox and the loop's own descriptors, then a worker's pipes
  // (and the gpg workload's child and agent sockets) per worker.
  const std::size_t margin = 64 + 8 * static_cast<std::size_t>(workers);
  return fds > 2 * margin ? fds - margin : std::max<std::size_t>(1, fds / 2);
}

std::string usage() {
  std::ostringstream out;
  out << "usage: offload-server [options]\n"
         "       offload-server --version     (version, git revision, libraries)\n\n"
         "Serves GET / (fib(N), the heavy job), GET /hi (\"easy!\") and GET /metrics\n"
         "(Prometheus text), running the heavy jobs where --strategy says.\n\n"
         "options (each also read from the environment variable shown):\n";
  // Texts start in one column and wrap within 100; a flag too long for the column gets a
  // line of its own (flags/flag_help.hpp).
  out << flags::help_table(options(), flags::HelpLayout{2, 30, 100})
      << "\nexample: FIB=20 offload-server --strategy process --workers 2\n";
  return out.str();
}

ConfigResult parse_config(int argc, const char* const* argv, const EnvLookup& env, Config& config) {
  // A flag given on the command line wins, and its variable is not read at all (a stale
  // WORKERS=1,2 in the shell does not stop `--workers 4`): flags/flag_table.hpp's rules.
  const flags::Result parsed = flags::parse(
      options(), std::vector<std::string>(argv + std::min(argc, 1), argv + argc), config, env);
  if (parsed.status == flags::Status::help) return {ConfigStatus::help, {}};
  if (parsed.status == flags::Status::error) return {ConfigStatus::error, parsed.message};
  if (config.workers == 0) config.workers = std::max(1u, std::thread::hardware_concurrency());
  if (config.max_conns == 0)
    config.max_conns = default_max_conns(std::max(config.workers, config.max_workers));
  if (config.min_workers > 0 && config.max_workers > 0 && config.min_workers > config.max_workers)
    return {ConfigStatus::error, "--min-workers " + std::to_string(config.min_workers) +
                                     ": must be at most --max-workers (" +
                                     std::to_string(config.max_workers) + ")"};
  // Every workload reads its settings now, so that values wrong together (gpg: a payload past
  // --max-payload-bytes) are a usage error too, whichever workload runs (as a wrong value is).
  for (const auto& name : workloads::workload_names())
    if (std::string err = workloads::make_workload(name)->configure(workload_settings(config));
        !err.empty())
      return {ConfigStatus::error, err};
  if (config.fib > config.max_n)
    return {ConfigStatus::error, "--fib " + std::to_string(config.fib) +
                                     ": must be at most --max-n (" + std::to_string(config.max_n) +
                                     ")"};
  ConfigResult ok;
  ok.notes = parsed.notes;
  return ok;
}

}  // namespace app
