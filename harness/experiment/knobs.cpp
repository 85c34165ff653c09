// The rules mirror offload-server's own (servers/app/config.cpp) so a bad sweep value is
// refused before any server starts, with exit status 2, instead of failing the run later.
// CPU numbers are checked against this machine: the harness starts its servers here.
#include "experiment/knobs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

#include "flag_cpu_list.hpp"
#include "flag_units.hpp"

namespace bench {

namespace {

bool parse_int(std::string_view text, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
  return flags::parse_i64(text, lo, hi, out);
}

std::string int_rule(std::int64_t lo, std::int64_t hi) {
  return flags::integer_rule(lo, hi);
}

int cores() {
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

// "0-1,3" with every CPU on this machine; "+" already turned into ",".
std::string check_cpu_list(const std::string& list) {
  if (!flags::parse_cpu_list(list, cores()))
    return "must be a CPU list like 1 or 0-1 (write 0+2 for the CPUs 0 and 2) with CPUs from 0 "
           "to " +
           std::to_string(cores() - 1);
  return {};
}

const std::vector<KnobSpec>& knob_specs() {
  static const std::vector<KnobSpec> specs = {
      {"worker-nice", "worker_nice", "WORKER_NICE", "0", true},
      {"worker-policy", "worker_policy", "WORKER_POLICY", "normal", false},
      {"loop-cpu", "loop_cpu", "LOOP_CPU", "", true},
      {"worker-cpus", "worker_cpus", "WORKER_CPUS", "", false},
      // Their defaults are the configuration's --workers: make_plan fills them in.
      {"min-workers", "min_workers", "MIN_WORKERS", "", true},
      {"max-workers", "max_workers", "MAX_WORKERS", "", true},
      {"worker-idle-timeout", "worker_idle_timeout_s", "WORKER_IDLE_TIMEOUT", "10", true},
      {"max-jobs-per-worker", "max_jobs_per_worker", "MAX_JOBS_PER_WORKER", "0", true},
      {"max-queue", "max_queue", "MAX_QUEUE", "128", true},
  };
  return specs;
}

const std::vector<std::string>& server_env_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all = {
        "STRATEGY",  "HOST",         "PORT",           "FIB",           "MAX_N",
        "WORKERS",   "WORKLOAD",     "PAYLOAD",        "MAX_PAYLOAD",   "GPG_HOME",
        "GPG_KEY",   "IDLE_TIMEOUT", "HEADER_TIMEOUT", "JOB_TIMEOUT",   "DRAIN_TIMEOUT",
        "MAX_CONNS", "NATS_URL",     "NATS_TOKEN",     "REMOTE_RETRIES"};
    for (const auto& k : knob_specs()) all.emplace_back(k.env);
    return all;
  }();
  return names;
}

const std::vector<std::string>& server_env_removed() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all = server_env_names();
    // Kept: the broker's token, a secret that configures nothing else, is how the servers of
    // --remote-nats get it (a URL with the token would be recorded in meta.json's command).
    all.erase(std::find(all.begin(), all.end(), "NATS_TOKEN"));
    // libuv's own: it sizes the uvpool strategy's pool in place of --workers.
    all.emplace_back("UV_THREADPOOL_SIZE");
    return all;
  }();
  return names;
}

const KnobSpec* find_knob(std::string_view key) {
  for (const auto& k : knob_specs())
    if (key == k.key) return &k;
  return nullptr;
}

std::string knob_keys_text() {
  std::string out;
  for (const auto& k : knob_specs()) out += (out.empty() ? "" : ", ") + std::string(k.key);
  return out;
}

bool knob_applies(const KnobSpec& knob, const Strategy& strategy,
                  const StrategyRegistry& registry) {
  return registry.applies(strategy, knob.key);
}

std::string normalize_knob_value(const KnobSpec& knob, const std::string& text, std::string& out) {
  const std::string key = knob.key;
  std::int64_t n = 0;
  if (key == "worker-nice") {
    if (!parse_int(text, -20, 19, n)) return int_rule(-20, 19);
    out = std::to_string(n);
  } else if (key == "worker-policy") {
    if (text != "normal" && text != "batch" && text != "idle")
      return "must be normal, batch or idle";
    out = text;
  } else if (key == "loop-cpu") {
    if (text == "none") {
      out.clear();
      return {};
    }
    if (!parse_int(text, 0, cores() - 1, n))
      return "must be a CPU from 0 to " + std::to_string(cores() - 1) + ", or none";
    out = std::to_string(n);
  } else if (key == "worker-cpus") {
    if (text == "all") {
      out.clear();
      return {};
    }
    std::string list = text;
    for (char& c : list)
      if (c == '+') c = ',';
    if (std::string err = check_cpu_list(list); !err.empty()) return err + ", or all";
    out = list;
  } else if (key == "min-workers" || key == "max-workers") {
    if (!parse_int(text, 1, 256, n)) return int_rule(1, 256);
    out = std::to_string(n);
  } else if (key == "worker-idle-timeout") {
    double s = 0;
    if (!flags::parse_duration(text, s, 86400))
      return "must be a duration above 0 and at most 86400 s (seconds, or 500ms, 2m)";
    out = number_text(s);
  } else if (key == "max-jobs-per-worker") {
    if (!parse_int(text, 0, 1'000'000'000, n)) return int_rule(0, 1'000'000'000);
    out = std::to_string(n);
  } else if (key == "max-queue") {
    if (!parse_int(text, 0, 1'000'000, n)) return int_rule(0, 1'000'000);
    out = std::to_string(n);
  } else {
    return "is not a knob";
  }
  return {};
}

std::string knob_label(const KnobSpec& knob, const std::string& value) {
  const std::string key = knob.key;
  if (key == "worker-nice") return "nice" + value;
  if (key == "worker-policy") return "sched-" + value;
  if (key == "loop-cpu") return value.empty() ? "loopany" : "loop" + value;
  if (key == "worker-cpus") {
    std::string v = value.empty() ? "all" : value;
    for (char& c : v)
      if (c == ',') c = '.';  // labels name files and CSV cells: no commas
    return "wcpu" + v;
  }
  if (key == "min-workers") return "min" + value;
  if (key == "max-workers") return "max" + value;
  if (key == "worker-idle-timeout") return "idle" + value + "s";
  if (key == "max-jobs-per-worker") return "recycle" + value;
  if (key == "max-queue") return "q" + value;
  return key + value;
}

std::vector<std::string> knob_args(const KnobSpec& knob, const std::string& value) {
  if (value.empty()) return {};  // an unpinned loop, workers on every CPU: the server's default
  return {std::string("--") + knob.key, value};
}

std::vector<std::pair<std::string, std::string>> knobs_in_server_args(
    const std::vector<std::string>& args) {
  std::vector<std::pair<std::string, std::string>> found;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i].rfind("--", 0) != 0) continue;
    std::string flag = args[i].substr(2), value;
    const auto eq = flag.find('=');
    if (eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    } else if (i + 1 < args.size()) {
      value = args[i + 1];
    }
    if (find_knob(flag) != nullptr) found.emplace_back(flag, value);
  }
  return found;
}

}  // namespace bench
