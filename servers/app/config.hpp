// The server's settings: command-line flags, each with an environment fallback (FIB=20 make
// inline-server), validated up front so a bad value is one clear line and exit code 2.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "workload.hpp"

namespace app {

struct Config {
  std::string strategy = "thread";  // a name in the strategy registry (strategy_registry.hpp)
  std::string host = "127.0.0.1";
  int port = 8080;
  unsigned fib = 30;
  unsigned max_n = 45;   // largest n a request may ask for with /?n=
  unsigned workers = 0;  // 0 until parsed: the number of cores
  std::size_t max_queue = 128;
  double idle_timeout_s = 60;
  double header_timeout_s = 10;
  double drain_timeout_s = 10;
  double job_timeout_s = 60;  // 0: none
  // Client connections held at once; past it a new one is closed at once. 0 until parsed:
  // the open-file limit less a margin (default_max_conns).
  std::size_t max_conns = 0;
  // The heavy job: fib(N), or decrypting a payload with GnuPG.
  std::string workload = "fib";  // a name in the workload registry (workload_registry.hpp)
  // The workloads' own flags that were given (--payload-bytes 4k), by name without dashes
  // ("payload-bytes" -> "4k"), as typed: each workload reads its own in configure().
  std::map<std::string, std::string> workload_flags;
  // Scheduling: can the loop get a core at once while jobs fill the others?
  int worker_nice = 0;
  std::string worker_policy = "normal";  // normal | batch | idle
  int loop_cpu = -1;                     // -1: not pinned
  std::string worker_cpus;               // CPU list; empty: all (or all but loop_cpu)
  // Process pool shape (like ampoule / Piscina).
  unsigned min_workers = 0;  // 0: --workers
  unsigned max_workers = 0;  // 0: --workers
  double worker_idle_timeout_s = 10;
  unsigned long max_jobs_per_worker = 0;  // 0: never recycle
  // remote: the broker (empty: a private one on loopback, with --workers local workers), its
  // token, and how often a job whose worker died holding it is published again.
  std::string nats_url;
  std::string nats_token;
  unsigned remote_retries = 1;
};

enum class ConfigStatus { ok, help, error };

struct ConfigResult {
  ConfigStatus status = ConfigStatus::ok;
  std::string message;  // the error line (without the program name)
  // Lines for stderr about values that were set aside (e.g. a HOST that is no address).
  std::vector<std::string> notes = {};
};

// A flag as the table knows it, for --help, the README and the tests.
struct FlagInfo {
  std::string flag;        // "--port"
  std::string env;         // "PORT", empty when there is no variable
  std::string value_name;  // "N"
};
std::vector<FlagInfo> flags();

// What the workload's configure() is given: --fib and --max-n, and the workload flags given.
workloads::Settings workload_settings(const Config& config);

// What --max-conns is by default: the open-file limit the server will run under, less what the
// listener, the pool's pipes and the workers need.
std::size_t default_max_conns(unsigned workers);

// Returns the value of an environment variable, or nullptr.
using EnvLookup = std::function<const char*(const char*)>;

ConfigResult parse_config(int argc, const char* const* argv, const EnvLookup& env, Config& config);
std::string usage();

}  // namespace app
