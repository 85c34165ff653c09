// Each option: its flag, value name, help line (with units) and a parser that returns the
// broken rule or "". Stream flags (--path, --conns, ...) set defaults that every --stream
// inherits, so `--duration 10 --stream a:... --stream b:...` runs both for ten seconds.
#include "cli/options.hpp"

#include <charconv>
#include <cmath>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include "client/request.hpp"

namespace bench {

namespace {

template <class Options>
struct Option {
  const char* flag;
  const char* value_name;  // nullptr: a switch without a value
  const char* help;
  std::function<std::string(const std::string&, Options&)> apply;
};

bool parse_u64(const std::string& text, std::uint64_t lo, std::uint64_t hi, std::uint64_t& out) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return !text.empty() && ec == std::errc() && ptr == end && out >= lo && out <= hi;
}

bool parse_number(const std::string& text, double& out) {
  std::istringstream in(text);
  in >> out;
  return !text.empty() && !in.fail() && in.eof() && std::isfinite(out);
}

std::string integer_rule(std::uint64_t lo, std::uint64_t hi) {
  return "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, sep)) parts.push_back(part);
  if (!text.empty() && text.back() == sep) parts.push_back("");
  return parts;
}

// Stream keys, shared by the top-level flags and --stream NAME:key=value,...
std::string apply_stream_key(const std::string& key, const std::string& value, StreamSpec& s) {
  std::uint64_t n = 0;
  double x = 0;
  if (key == "path") {
    if (!valid_request_path(value)) return "must start with / and hold no spaces, e.g. /?n=25";
    s.path = value;
  } else if (key == "conns") {
    if (!parse_u64(value, 1, 100000, n)) return integer_rule(1, 100000);
    s.conns = static_cast<unsigned>(n);
  } else if (key == "calls") {
    if (!parse_u64(value, 1, 1'000'000'000, n)) return integer_rule(1, 1'000'000'000);
    s.calls = n;
  } else if (key == "duration") {
    if (!parse_duration(value, s.duration_s))
      return "must be a duration above 0 (seconds, or with a unit: 500ms, 10s, 2m)";
  } else if (key == "rate") {
    if (!parse_number(value, x) || x <= 0 || x > 10'000'000)
      return "must be a number of requests per second, above 0";
    s.rate = x;
  } else if (key == "poisson") {
    if (value != "" && value != "1" && value != "true" && value != "0" && value != "false")
      return "must be true or false";
    s.poisson = value == "" || value == "1" || value == "true";
  } else if (key == "max-conns") {
    if (!parse_u64(value, 1, 100000, n)) return integer_rule(1, 100000);
    s.max_conns = static_cast<unsigned>(n);
  } else if (key == "timeout") {
    if (!parse_duration(value, s.timeout_s))
      return "must be a duration above 0 (seconds, or with a unit: 500ms, 10s, 2m)";
  } else {
    return "unknown key " + key +
           " (path, conns, calls, duration, rate, poisson, max-conns, timeout)";
  }
  return {};
}

std::string check_stream(const StreamSpec& s) {
  if (s.open_loop()) {
    if (s.calls > 0)
      return "--calls is for a closed loop; an open loop (--rate) runs for --duration";
    if (s.duration_s <= 0) return "an open loop (--rate) needs --duration";
    if (s.max_conns < s.conns) return "--max-conns must be at least --conns";
  } else {
    if (s.calls == 0 && s.duration_s <= 0) return "a closed loop needs --calls N or --duration SEC";
    if (s.poisson) return "--poisson needs --rate (it shapes an open loop's arrivals)";
  }
  return {};
}

struct RunDraft {
  RunOptions options;
  StreamSpec defaults;
  std::vector<std::string> stream_texts;
};

const std::vector<Option<RunDraft>>& run_table() {
  using O = Option<RunDraft>;
  auto key = [](const char* k) {
    return [k](const std::string& v, RunDraft& d) { return apply_stream_key(k, v, d.defaults); };
  };
  static const std::vector<O> table = {
      {"--target", "HOST:PORT", "server to load (default 127.0.0.1:8080)",
       [](const std::string& v, RunDraft& d) { return parse_target(v, d.options.target); }},
      {"--path", "PATH", "request target, e.g. / or /hi or /?n=25 (default /)", key("path")},
      {"--conns", "N",
       "closed loop: concurrent connections; open loop: connections opened\n"
       "                          before the first request (default 1)",
       key("conns")},
      {"--calls", "N", "closed loop: calls per connection, one after another", key("calls")},
      {"--duration", "SEC", "run for SEC seconds (units allowed: 500ms, 10s, 2m)", key("duration")},
      {"--rate", "R", "open loop: R requests per second, due on a fixed schedule", key("rate")},
      {"--poisson", nullptr, "open loop: exponential gaps between requests (mean 1/R)",
       [](const std::string&, RunDraft& d) { return apply_stream_key("poisson", "", d.defaults); }},
      {"--max-conns", "N", "open loop: most connections it may open (default 1000)",
       key("max-conns")},
      {"--timeout", "SEC", "a request unanswered this long is a timeout error (default 30)",
       key("timeout")},
      {"--stream", "SPEC",
       "add a named stream NAME:key=value,... with keys path, conns, calls,\n"
       "                          duration, rate, poisson, max-conns, timeout (unset keys come\n"
       "                          from the flags above); repeat for several streams on one clock",
       [](const std::string& v, RunDraft& d) -> std::string {
         d.stream_texts.push_back(v);
         return {};
       }},
      {"--hgrm", "DIR", "write each stream's latency spectrum to DIR/<stream>.hgrm",
       [](const std::string& v, RunDraft& d) -> std::string {
         if (v.empty()) return "must be a directory";
         d.options.hgrm_dir = v;
         return {};
       }},
      {"--seed", "N", "seed of the Poisson arrivals (default 1)",
       [](const std::string& v, RunDraft& d) -> std::string {
         std::uint64_t n = 0;
         if (!parse_u64(v, 0, UINT64_MAX, n)) return "must be a non-negative integer";
         d.defaults.seed = n;
         return {};
       }},
      {"--quiet", nullptr, "no progress line on stderr",
       [](const std::string&, RunDraft& d) -> std::string {
         d.options.quiet = true;
         return {};
       }},
  };
  return table;
}

std::string parse_list(const std::string& text,
                       const std::function<std::string(const std::string&)>& each) {
  if (text.empty()) return "must be a comma-separated list";
  for (const auto& item : split(text, ','))
    if (std::string err = each(item); !err.empty()) return err;
  return {};
}

const std::vector<Option<ExperimentOptions>>& experiment_table() {
  using O = Option<ExperimentOptions>;
  using E = ExperimentOptions;
  auto seconds = [](double E::*field) {
    return [field](const std::string& v, E& e) -> std::string {
      if (!parse_duration(v, e.*field))
        return "must be a duration above 0 (seconds, or with a unit: 500ms, 10s, 2m)";
      return {};
    };
  };
  static const std::vector<O> table = {
      {"--server", "PATH", "offload-server program (default: the one next to offload-bench)",
       [](const std::string& v, E& e) -> std::string {
         if (v.empty()) return "must be a path";
         e.server_program = v;
         return {};
       }},
      {"--strategies", "LIST",
       "strategies to compare: inline, thread, process, uvpool\n"
       "                          (default inline,thread,process)",
       [](const std::string& v, E& e) {
         e.strategies.clear();
         return parse_list(v, [&](const std::string& s) -> std::string {
           if (s != "inline" && s != "thread" && s != "process" && s != "uvpool")
             return "must list inline, thread, process or uvpool";
           e.strategies.push_back(s);
           return {};
         });
       }},
      {"--fib", "LIST", "FIB values N of fib(N), the heavy job's size; a list sweeps (default 30)",
       [](const std::string& v, E& e) {
         e.fibs.clear();
         return parse_list(v, [&](const std::string& s) -> std::string {
           std::uint64_t n = 0;
           if (!parse_u64(s, 1, 92, n)) return "must list integers from 1 to 92";
           e.fibs.push_back(static_cast<unsigned>(n));
           return {};
         });
       }},
      {"--workload", "W", "the heavy job: fib, or gpg (GnuPG decryption) (default fib)",
       [](const std::string& v, E& e) -> std::string {
         if (v != "fib" && v != "gpg") return "must be fib or gpg";
         e.workload = v;
         return {};
       }},
      {"--payload", "LIST", "gpg: payload sizes decrypted per job, e.g. 4k,64k,1m (default 64k)",
       [](const std::string& v, E& e) {
         e.payloads.clear();
         return parse_list(v, [&](const std::string& s) -> std::string {
           std::uint64_t n = 0;
           if (!parse_size(s, n)) return "must list sizes from 1 to 64m (bytes, or with k or m)";
           e.payloads.push_back(n);
           return {};
         });
       }},
      {"--workers", "LIST", "pool sizes, threads or processes (default: the number of cores)",
       [](const std::string& v, E& e) {
         e.workers.clear();
         return parse_list(v, [&](const std::string& s) -> std::string {
           std::uint64_t n = 0;
           if (!parse_u64(s, 1, 256, n)) return "must list integers from 1 to 256";
           e.workers.push_back(static_cast<unsigned>(n));
           return {};
         });
       }},
      {"--heavy-conns", "N", "closed-loop connections on / (default: twice the cores)",
       [](const std::string& v, E& e) -> std::string {
         std::uint64_t n = 0;
         if (!parse_u64(v, 1, 10000, n)) return integer_rule(1, 10000);
         e.heavy_conns = static_cast<unsigned>(n);
         return {};
       }},
      {"--probe-rate", "R", "open-loop requests per second on /hi (default 400)",
       [](const std::string& v, E& e) -> std::string {
         if (!parse_number(v, e.probe_rate) || e.probe_rate <= 0 || e.probe_rate > 1e6)
           return "must be a number of requests per second, above 0";
         return {};
       }},
      {"--poisson", nullptr, "probe arrivals with exponential gaps (default: fixed gaps)",
       [](const std::string&, E& e) -> std::string {
         e.poisson = true;
         return {};
       }},
      {"--probe-max-conns", "N", "most connections the probe may open (default 1000)",
       [](const std::string& v, E& e) -> std::string {
         std::uint64_t n = 0;
         if (!parse_u64(v, 1, 100000, n)) return integer_rule(1, 100000);
         e.probe_max_conns = static_cast<unsigned>(n);
         return {};
       }},
      {"--phase", "SEC", "length of each loaded phase (default 5)", seconds(&E::phase_s)},
      {"--idle", "SEC", "length of the idle phases before and after (default 2)",
       seconds(&E::idle_s)},
      {"--calibrate", "SEC", "job-cost measurement, 1 connection on / (default 1.5, >= 3 calls)",
       seconds(&E::calibrate_s)},
      {"--repeats", "N", "runs of every configuration, interleaved (default 1)",
       [](const std::string& v, E& e) -> std::string {
         std::uint64_t n = 0;
         if (!parse_u64(v, 1, 100, n)) return integer_rule(1, 100);
         e.repeats = static_cast<unsigned>(n);
         return {};
       }},
      {"--timeout", "SEC", "a request unanswered this long is a timeout error (default 30)",
       seconds(&E::timeout_s)},
      {"--seed", "N", "seed of the Poisson arrivals (default 1)",
       [](const std::string& v, E& e) -> std::string {
         if (!parse_u64(v, 0, UINT64_MAX, e.seed)) return "must be a non-negative integer";
         return {};
       }},
      {"--results", "DIR", "parent folder of the run's folder (default results)",
       [](const std::string& v, E& e) -> std::string {
         if (v.empty()) return "must be a directory";
         e.results_dir = v;
         return {};
       }},
      {"--label", "TEXT", "appended to the run id: results/<YYYYmmdd-HHMMSS>-<label>",
       [](const std::string& v, E& e) -> std::string {
         if (v.empty() || v.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789._-") != std::string::npos)
           return "must be letters, digits, '.', '_' or '-'";
         e.label = v;
         return {};
       }},
      {"--server-arg", "ARG", "extra argument for every server, e.g. --server-arg=--max-queue=64",
       [](const std::string& v, E& e) -> std::string {
         e.server_args.push_back(v);
         return {};
       }},
      {"--quiet", nullptr, "no progress line on stderr",
       [](const std::string&, E& e) -> std::string {
         e.quiet = true;
         return {};
       }},
  };
  return table;
}

template <class Options>
ParseResult parse_with(const std::vector<Option<Options>>& table,
                       const std::vector<std::string>& args, Options& out) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "--help" || arg == "-h") return {ParseStatus::help, {}};
    std::string value;
    bool has_value = false;
    if (const auto eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
      has_value = true;
    }
    const Option<Options>* option = nullptr;
    for (const auto& o : table)
      if (arg == o.flag) option = &o;
    if (option == nullptr) return {ParseStatus::error, "unknown option " + arg + " (see --help)"};
    if (option->value_name == nullptr) {
      if (has_value) return {ParseStatus::error, arg + " takes no value"};
    } else if (!has_value) {
      if (i + 1 >= args.size()) return {ParseStatus::error, arg + " needs a value"};
      value = args[++i];
    }
    if (std::string err = option->apply(value, out); !err.empty())
      return {ParseStatus::error, arg + (option->value_name ? " " + value : "") + ": " + err};
  }
  return {};
}

template <class Options>
std::string usage_lines(const std::vector<Option<Options>>& table) {
  std::string out;
  for (const auto& o : table) {
    std::string left =
        std::string("  ") + o.flag + (o.value_name ? std::string(" ") + o.value_name : "");
    if (left.size() < 26)
      left.resize(26, ' ');
    else
      left += "\n" + std::string(26, ' ');
    out += left + o.help + "\n";
  }
  out += std::string("  --help") + std::string(18, ' ') + "show this help and exit\n";
  return out;
}

}  // namespace

bool parse_duration(const std::string& text, double& seconds) {
  std::string number = text;
  double scale = 1;
  if (number.size() > 2 && number.compare(number.size() - 2, 2, "ms") == 0) {
    number.resize(number.size() - 2);
    scale = 0.001;
  } else if (number.size() > 1 && number.back() == 's') {
    number.pop_back();
  } else if (number.size() > 1 && number.back() == 'm') {
    number.pop_back();
    scale = 60;
  }
  double v = 0;
  if (!parse_number(number, v) || v <= 0 || v * scale > 7 * 86400) return false;
  seconds = v * scale;
  return true;
}

bool parse_size(const std::string& text, std::uint64_t& bytes) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const std::string unit = text.substr(digits);
  std::uint64_t scale = 0;
  if (unit.empty() || unit == "b") scale = 1;
  if (unit == "k" || unit == "K") scale = 1024;
  if (unit == "m" || unit == "M") scale = 1024 * 1024;
  std::uint64_t n = 0;
  if (digits == 0 || digits > 9 || scale == 0 || !parse_u64(text.substr(0, digits), 1, 1u << 30, n))
    return false;
  if (n * scale > 64ull * 1024 * 1024) return false;
  bytes = n * scale;
  return true;
}

std::string size_label(std::uint64_t bytes) {
  if (bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + "m";
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + "k";
  return std::to_string(bytes);
}

ParseResult parse_run_options(const std::vector<std::string>& args, RunOptions& out) {
  RunDraft draft;
  draft.defaults.duration_s = 0;
  ParseResult r = parse_with(run_table(), args, draft);
  if (r.status != ParseStatus::ok) return r;
  std::set<std::string> names;
  if (draft.stream_texts.empty()) {
    if (std::string err = check_stream(draft.defaults); !err.empty())
      return {ParseStatus::error, err};
    draft.options.streams.push_back(draft.defaults);
  }
  for (const auto& text : draft.stream_texts) {
    const auto colon = text.find(':');
    StreamSpec s = draft.defaults;
    s.name = text.substr(0, colon);
    if (s.name.empty() ||
        s.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos)
      return {ParseStatus::error, "--stream " + text +
                                      ": must start with a name of lower-case letters, digits, "
                                      "'_' or '-', then ':', e.g. probe:path=/hi,rate=200"};
    if (!names.insert(s.name).second)
      return {ParseStatus::error, "--stream " + text + ": the name " + s.name + " is taken"};
    if (colon != std::string::npos && colon + 1 < text.size()) {
      for (const auto& pair : split(text.substr(colon + 1), ',')) {
        const auto eq = pair.find('=');
        const std::string key = pair.substr(0, eq);
        const std::string value = eq == std::string::npos ? "" : pair.substr(eq + 1);
        if (eq == std::string::npos && key != "poisson")
          return {ParseStatus::error, "--stream " + text + ": " + key + " needs =value"};
        if (std::string err = apply_stream_key(key, value, s); !err.empty())
          return {ParseStatus::error, "--stream " + text + ": " + key + ": " + err};
      }
    }
    if (std::string err = check_stream(s); !err.empty())
      return {ParseStatus::error, "--stream " + text + ": " + err};
    s.seed = draft.defaults.seed + draft.options.streams.size();  // streams differ in arrivals
    draft.options.streams.push_back(s);
  }
  out = draft.options;
  return {};
}

ParseResult parse_experiment_options(const std::vector<std::string>& args, ExperimentOptions& out) {
  bool has_fib = false, has_payload = false;
  for (const auto& a : args) {
    has_fib = has_fib || a == "--fib" || a.rfind("--fib=", 0) == 0;
    has_payload = has_payload || a == "--payload" || a.rfind("--payload=", 0) == 0;
  }
  ParseResult r = parse_with(experiment_table(), args, out);
  if (r.status != ParseStatus::ok) return r;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  if (out.workers.empty()) out.workers = {cores};
  if (out.heavy_conns == 0) out.heavy_conns = 2 * cores;
  if (out.workload == "fib" && has_payload)
    return {ParseStatus::error, "--payload is for --workload gpg (fib sizes its jobs with --fib)"};
  if (out.workload == "gpg" && has_fib)
    return {ParseStatus::error, "--fib is for --workload fib (gpg sizes its jobs with --payload)"};
  return {};
}

std::string run_usage() {
  return "usage: offload-bench [run] [options]\n"
         "       offload-bench experiment [options]     (see offload-bench experiment --help)\n\n"
         "Loads an HTTP server with one or more streams and prints, per stream, the requests\n"
         "answered, errors by class, the rate and the latency percentiles (ms) with 95%\n"
         "confidence intervals. A closed loop (--conns, --calls or --duration) sends each call\n"
         "when the previous answer came; an open loop (--rate, --duration) sends on a schedule\n"
         "and measures latency from when each request was due, so server stalls are not hidden.\n\n"
         "options:\n" +
         usage_lines(run_table()) +
         "\nexit status: 0 done, 1 the server could not be reached or went away, 2 bad options,\n"
         "130 interrupted (what was measured is still printed)\n\n"
         "examples:\n"
         "  offload-bench --conns 20 --calls 200 --path /                 (like httperf)\n"
         "  offload-bench --rate 200 --duration 10s --path /hi            (like wrk2)\n"
         "  offload-bench --duration 10 --stream heavy:path=/,conns=4 \\\n"
         "                --stream probe:path=/hi,rate=200               (two streams, one "
         "clock)\n";
}

std::string experiment_usage() {
  return "usage: offload-bench experiment [options]\n\n"
         "Starts offload-server for each configuration (strategy x job size x workers; the\n"
         "job size is FIB, or the payload with --workload gpg), waits until it is ready and\n"
         "runs the phases idle-before, probe-only, heavy-only, heavy+probe and idle-after:\n"
         "heavy is a closed loop on /, probe an open loop on /hi. Each configuration's job\n"
         "cost (ms) is measured first, with one connection on /. Every 500 ms it records\n"
         "per-stream latency, the server's processes (RSS, CPU) and its /metrics. Results go\n"
         "to <results>/<run-id>/ (summary.csv, series.csv, resources.csv, metrics.csv,\n"
         "meta.json; see harness/RESULTS.md); <results>/latest points to it.\n\n"
         "options:\n" +
         usage_lines(experiment_table()) +
         "\nexit status: 0 done, 1 a server failed (died, never became ready, or did not exit\n"
         "cleanly), 2 bad options, 130 interrupted (files hold what was measured)\n";
}

}  // namespace bench
