// Flag parsing from one table: each option's flag, environment variable, help line and
// parser live together, so --help, the env fallbacks and the checks cannot drift apart.
#include "config.hpp"

#include "gpg_home.hpp"
#include "gpg_home_set.hpp"
#include "gpg_size.hpp"
#include "sched_knobs.hpp"

#include <arpa/inet.h>
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <sstream>
#include <thread>
#include <vector>

namespace app {

namespace {

struct Option {
  const char* flag;
  const char* env;  // nullptr: no fallback
  const char* value_name;
  const char* help;
  // Parses `text` into the config, or returns what rule it breaks.
  std::function<std::string(const std::string& text, Config& c)> apply;
  // Non-null: a bad value from the variable is set aside with this note instead of stopping
  // the server (a variable some shells set for their own use).
  const char* env_note = nullptr;
};

std::string parse_uint(const std::string& text, unsigned long long lo, unsigned long long hi,
                       unsigned long long& out) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  if (text.empty() || ec != std::errc() || ptr != end || out < lo || out > hi)
    return "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  return {};
}

// Durations become whole milliseconds (libuv's timers), so anything under 1 ms would become 0,
// which reads as "never" for some timers and "at once" for others: refused, not rounded.
std::string parse_seconds(const std::string& text, double& out) {
  std::istringstream in(text);
  double v = 0;
  in >> v;
  if (text.empty() || in.fail() || !in.eof() || !std::isfinite(v) || v <= 0 || v > 86400)
    return "must be a number of seconds, above 0 and at most 86400";
  if (v < 0.001) return "must be at least 0.001 (1 ms, the timers' resolution)";
  out = v;
  return {};
}

template <class T>
std::function<std::string(const std::string&, Config&)> integer(T Config::*field,
                                                                unsigned long long lo,
                                                                unsigned long long hi) {
  return [=](const std::string& text, Config& c) {
    unsigned long long v = 0;
    std::string err = parse_uint(text, lo, hi, v);
    if (err.empty()) c.*field = static_cast<T>(v);
    return err;
  };
}

std::function<std::string(const std::string&, Config&)> seconds(double Config::*field) {
  return [=](const std::string& text, Config& c) { return parse_seconds(text, c.*field); };
}

std::function<std::string(const std::string&, Config&)> size(std::size_t Config::*field) {
  return [=](const std::string& text, Config& c) -> std::string {
    std::string err;
    const auto v = workloads::gpg::parse_payload_size(text, &err);
    if (!v) return err;
    c.*field = *v;
    return {};
  };
}

const std::vector<Option>& options() {
  static const std::vector<Option> table = {
      {"--strategy", "STRATEGY", "S",
       "where jobs run: inline | thread | process | uvpool (libuv's pool) (default thread)",
       [](const std::string& t, Config& c) -> std::string {
         if (t != "inline" && t != "thread" && t != "process" && t != "uvpool")
           return "must be one of inline, thread, process, uvpool";
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
      {"--workload", "WORKLOAD", "W", "the heavy job: fib | gpg (GnuPG decryption) (default fib)",
       [](const std::string& t, Config& c) -> std::string {
         if (t != "fib" && t != "gpg") return "must be fib or gpg";
         c.workload = t;
         return {};
       }},
      {"--payload-bytes", "PAYLOAD", "SIZE",
       "gpg: payload GET / decrypts, e.g. 4k, 64k, 1m (default 64k)", size(&Config::payload_bytes)},
      {"--max-payload-bytes", "MAX_PAYLOAD", "SIZE",
       "gpg: largest payload a client may ask for with /?bytes= (default 16m)",
       size(&Config::max_payload_bytes)},
      {"--gpg-home", "GPG_HOME", "MODE",
       "gpg: one GnuPG home for all workers, or one each: shared | per-worker (default shared)",
       [](const std::string& t, Config& c) -> std::string {
         if (!workloads::gpg::parse_home_mode(t)) return "must be shared or per-worker";
         c.gpg_home = t;
         return {};
       }},
      {"--gpg-key", "GPG_KEY", "TYPE", "gpg: key type, cv25519 | rsa3072 (default cv25519)",
       [](const std::string& t, Config& c) -> std::string {
         if (!workloads::gpg::parse_key_type(t)) return "must be cv25519 or rsa3072";
         c.gpg_key = t;
         return {};
       }},
      {"--allow-corrupt", nullptr, "0|1",
       "testing only: let /?corrupt=1 decrypt a damaged ciphertext (default 0)",
       [](const std::string& t, Config& c) -> std::string {
         if (t != "0" && t != "1") return "must be 0 or 1";
         c.allow_corrupt = t == "1";
         return {};
       }},
      {"--worker-nice", "WORKER_NICE", "N",
       "niceness of worker threads/processes, -20..19 (default 0)",
       [](const std::string& t, Config& c) -> std::string {
         const bool negative = !t.empty() && t[0] == '-';
         unsigned long long v = 0;
         std::string err = parse_uint(negative ? t.substr(1) : t, 0, negative ? 20 : 19, v);
         if (!err.empty()) return "must be an integer from -20 to 19";
         c.worker_nice = negative ? -static_cast<int>(v) : static_cast<int>(v);
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
         std::vector<int> cpus;
         if (!offload::parse_cpu_list(t, cpus).empty() || cpus.size() != 1)
           return "must be one CPU number of this machine";
         c.loop_cpu = cpus.front();
         return {};
       }},
      {"--worker-cpus", "WORKER_CPUS", "LIST",
       "CPUs the workers may use, e.g. 1 or 0-3,6 (default all)",
       [](const std::string& t, Config& c) -> std::string {
         std::vector<int> cpus;
         if (std::string err = offload::parse_cpu_list(t, cpus); !err.empty()) return err;
         c.worker_cpus = offload::format_cpu_list(cpus);
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
         return parse_seconds(t, c.job_timeout_s);
       }},
      {"--max-conns", "MAX_CONNS", "N",
       "client connections held at once; more are closed at once and counted in /metrics "
       "(default: the open-file limit less 64 and 8 per worker)",
       integer(&Config::max_conns, 1, 100'000'000)},
      {"--drain-timeout", "DRAIN_TIMEOUT", "SEC",
       "on SIGTERM, wait this long for requests in flight, then answer 503 (default 10)",
       seconds(&Config::drain_timeout_s)},
  };
  return table;
}

}  // namespace

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
  out << "usage: offload-server [options]\n\n"
         "Serves GET / (fib(N), the heavy job), GET /hi (\"easy!\") and GET /metrics\n"
         "(Prometheus text), running the heavy jobs where --strategy says.\n\n"
         "options (each also read from the environment variable shown):\n";
  // The help column starts after the longest flag, so no flag or value name is cut.
  std::size_t width = 0;
  for (const auto& o : options())
    width = std::max(width, std::strlen(o.flag) + std::strlen(o.value_name) + 5);
  for (const auto& o : options()) {
    std::string left = std::string("  ") + o.flag + " " + o.value_name;
    left.resize(width, ' ');
    out << left << o.help;
    if (o.env != nullptr) out << " [" << o.env << "]";
    out << "\n";
  }
  std::string help = "  --help";
  help.resize(width, ' ');
  out << help
      << "show this help and exit\n\n"
         "example: FIB=20 offload-server --strategy process --workers 2\n";
  return out.str();
}

ConfigResult parse_config(int argc, const char* const* argv, const EnvLookup& env, Config& config) {
  // The command line first: a flag given there wins, and its variable is not read at all (a
  // stale WORKERS=1,2 in the shell does not stop `--workers 4`).
  std::vector<std::pair<const Option*, std::string>> given;
  std::vector<std::string> notes;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") return {ConfigStatus::help, {}};
    std::string value;
    bool has_value = false;
    if (const auto eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
      has_value = true;
    }
    const Option* option = nullptr;
    for (const auto& o : options())
      if (arg == o.flag) option = &o;
    if (option == nullptr) return {ConfigStatus::error, "unknown option " + arg + " (see --help)"};
    if (!has_value) {
      if (i + 1 >= argc) return {ConfigStatus::error, arg + " needs a value"};
      value = argv[++i];
    }
    given.emplace_back(option, std::move(value));
  }
  for (const auto& o : options()) {
    if (o.env == nullptr) continue;
    if (std::any_of(given.begin(), given.end(), [&](const auto& g) { return g.first == &o; }))
      continue;
    const char* value = env(o.env);
    if (value == nullptr || *value == '\0') continue;
    if (std::string err = o.apply(value, config); !err.empty()) {
      if (o.env_note == nullptr)
        return {ConfigStatus::error, std::string(o.env) + "=" + value + ": " + err};
      notes.push_back(std::string(o.env) + "=" + value + " " + o.env_note);
    }
  }
  for (const auto& [option, value] : given)
    if (std::string err = option->apply(value, config); !err.empty())
      return {ConfigStatus::error, std::string(option->flag) + " " + value + ": " + err};
  if (config.workers == 0) config.workers = std::max(1u, std::thread::hardware_concurrency());
  if (config.max_conns == 0)
    config.max_conns = default_max_conns(std::max(config.workers, config.max_workers));
  if (config.min_workers > 0 && config.max_workers > 0 && config.min_workers > config.max_workers)
    return {ConfigStatus::error, "--min-workers " + std::to_string(config.min_workers) +
                                     ": must be at most --max-workers (" +
                                     std::to_string(config.max_workers) + ")"};
  if (config.payload_bytes > config.max_payload_bytes)
    return {ConfigStatus::error, "--payload-bytes: must be at most --max-payload-bytes (" +
                                     std::to_string(config.max_payload_bytes) + ")"};
  if (config.fib > config.max_n)
    return {ConfigStatus::error, "--fib " + std::to_string(config.fib) +
                                     ": must be at most --max-n (" + std::to_string(config.max_n) +
                                     ")"};
  ConfigResult ok;
  ok.notes = std::move(notes);
  return ok;
}

}  // namespace app
