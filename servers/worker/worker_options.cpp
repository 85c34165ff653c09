// offload-worker's flag table.
#include "worker_options.hpp"

#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "flag_help.hpp"
#include "flag_table.hpp"
#include "flag_units.hpp"
#include "remote_protocol.hpp"
#include "workload_registry.hpp"

namespace offload::worker {

namespace {

using Option = flags::Option<WorkerConfig>;

const std::vector<Option>& options() {
  static const std::vector<Option> table = {
      {"--nats", "NATS_URL", "URL",
       "the broker: nats://HOST:PORT, with credentials as nats://USER:PASSWORD@HOST:PORT or "
       "nats://TOKEN@HOST:PORT (default nats://127.0.0.1:4222)",
       [](const std::string& t, WorkerConfig& c) -> std::string {
         if (t.rfind("nats://", 0) != 0 && t.rfind("tls://", 0) != 0)
           return "must be a URL like nats://HOST:PORT";
         c.nats_url = t;
         return {};
       }},
      {"--nats-token", "NATS_TOKEN", "TOKEN",
       "the broker's authorization token (prefer the variable: a command line is visible to "
       "every user of the host)",
       [](const std::string& t, WorkerConfig& c) -> std::string {
         c.token = t;
         return {};
       }},
      {"--workload", "WORKLOAD", "W",
       "the jobs it serves: " + workloads::workload_list(" | ") + " (default fib)",
       [](const std::string& t, WorkerConfig& c) -> std::string {
         if (!workloads::make_workload(t)) return "must be " + workloads::workload_choices();
         c.workload = t;
         return {};
       }},
      {"--concurrency", "CONCURRENCY", "N", "jobs run at once, one thread each (default 1)",
       [](const std::string& t, WorkerConfig& c) -> std::string {
         std::uint64_t v = 0;
         if (!flags::parse_u64(t, 1, remote::kMaxConcurrency, v))
           return flags::integer_rule(1, remote::kMaxConcurrency);
         c.concurrency = static_cast<unsigned>(v);
         return {};
       }},
      {"--slot", nullptr, "N",
       "the first worker slot of its threads (gpg per-worker homes: which home) (default 0)",
       [](const std::string& t, WorkerConfig& c) -> std::string {
         std::uint64_t v = 0;
         if (!flags::parse_u64(t, 0, 1'000'000, v)) return flags::integer_rule(0, 1'000'000);
         c.first_slot = static_cast<std::size_t>(v);
         return {};
       }},
      {"--worker-nice", "WORKER_NICE", "N", "niceness of the job threads, -20..19 (default 0)",
       [](const std::string& t, WorkerConfig& c) -> std::string {
         std::int64_t v = 0;
         if (!flags::parse_i64(t, -20, 19, v)) return flags::integer_rule(-20, 19);
         c.knobs.nice = static_cast<int>(v);
         return {};
       }},
      {"--worker-policy", "WORKER_POLICY", "P",
       "scheduling policy of the job threads: normal | batch | idle (default normal)",
       [](const std::string& t, WorkerConfig& c) -> std::string {
         if (t != "normal" && t != "batch" && t != "idle") return "must be normal, batch or idle";
         c.knobs.policy = t;
         return {};
       }},
      {"--worker-cpus", "WORKER_CPUS", "LIST",
       "CPUs the job threads may use, e.g. 1 or 0-3,6 (default all)",
       [](const std::string& t, WorkerConfig& c) -> std::string {
         return parse_cpu_list(t, c.knobs.cpus);
       }},
      {"--heartbeat", nullptr, "SEC",
       "how often it tells the servers it is alive; a worker silent for 5 of these is taken "
       "for dead and its jobs are retried elsewhere (default 0.1)",
       [](const std::string& t, WorkerConfig& c) -> std::string {
         if (std::string err = flags::parse_seconds(t, c.heartbeat_s); !err.empty()) return err;
         if (c.heartbeat_s * 1000 > static_cast<double>(remote::kMaxHeartbeatMs))
           return "must be at most " + std::to_string(remote::kMaxHeartbeatMs / 1000) +
                  " (servers take a longer interval for no heartbeat)";
         return {};
       }},
      {"--drain-timeout", "WORKER_DRAIN_TIMEOUT", "SEC",
       "on SIGTERM, take no new job and finish the ones it holds for up to this long (default 30)",
       [](const std::string& t, WorkerConfig& c) -> std::string {
         return flags::parse_seconds(t, c.drain_timeout_s);
       }},
      {"--id", nullptr, "NAME", "its name in the servers' /metrics (default HOST-PID)",
       [](const std::string& t, WorkerConfig& c) -> std::string {
         if (t.empty() || t.size() > 64 || std::any_of(t.begin(), t.end(), [](char ch) {
               return static_cast<unsigned char>(ch) <= ' ' || ch == '"' || ch == '\\' ||
                      static_cast<unsigned char>(ch) >= 0x7f;
             }))
           return "must be 1 to 64 visible characters, no quote or backslash";
         c.id = t;
         return {};
       }},
  };
  return table;
}

std::string default_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
    std::snprintf(host, sizeof host, "host");
  std::string id = host;
  for (char& ch : id)
    if (static_cast<unsigned char>(ch) <= ' ' || ch == '"' || ch == '\\') ch = '_';
  return id + "-" + std::to_string(getpid());
}

}  // namespace

std::string worker_usage() {
  std::ostringstream out;
  out << "usage: offload-worker [options] [-- WORKLOAD-ARGUMENTS]\n\n"
         "Serves offload-server's remote strategy: takes jobs from a NATS broker (queue group\n"
         "offload-workers on offload.jobs.<workload>), runs them, answers each on its reply\n"
         "subject. Run as many as you like, on any host that reaches the broker. Prints one\n"
         "ready line once subscribed; on SIGTERM or SIGINT it takes no new job, finishes the\n"
         "ones it holds and exits 0 (a second signal: at once).\n\n"
         "options (each also read from the environment variable shown):\n";
  out << flags::help_table(options(), flags::HelpLayout{2, 30, 100});
  out << "\nWORKLOAD-ARGUMENTS, after --, go to the workload as they are: fib takes none; gpg\n"
         "needs a GnuPG home holding the key the server encrypts to and that key's fingerprint:\n"
         "  -- --gpg-home DIR --gpg-fingerprint FPR [--payload-bytes N]\n"
         "(the server gives its local workers exactly these).\n\n"
         "example: NATS_TOKEN=secret offload-worker --nats nats://10.0.0.5:4222 --concurrency 4\n";
  return out.str();
}

ParseResult parse_worker_config(int argc, const char* const* argv, const EnvLookup& env,
                                WorkerConfig& config) {
  std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  const auto dashes = std::find(args.begin(), args.end(), "--");
  if (dashes != args.end()) {
    config.workload_args.assign(dashes + 1, args.end());
    args.erase(dashes, args.end());
  }
  const flags::Result parsed = flags::parse(options(), args, config, env);
  if (parsed.status == flags::Status::help) return {ParseStatus::help, {}};
  if (parsed.status == flags::Status::error) return {ParseStatus::error, parsed.message};
  if (config.id.empty()) config.id = default_id();
  return {};
}

}  // namespace offload::worker
