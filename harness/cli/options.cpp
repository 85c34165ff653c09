// `offload-bench [run]`'s options, and the value parsers both commands use. Stream flags
// (--path, --conns, ...) set defaults that every --stream inherits, so `--duration 10 --stream
// a:... --stream b:...` runs both for ten seconds.
#include "cli/options.hpp"

#include <set>

#include "cli/option_table.hpp"
#include "client/request.hpp"
#include "experiment/stream_role.hpp"

namespace bench {

using namespace cli;

namespace {

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
    if (!parse_duration(value, s.duration_s)) return flags::kDurationRule;
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
    if (!parse_duration(value, s.timeout_s)) return flags::kDurationRule;
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

// An objective and a results folder name streams by role (heavy, probe): each role they use
// must be one stream's, and an objective's stream must be in the run.
std::string check_roles(const RunOptions& o) {
  if (o.slos.empty() && o.csv_dir.empty()) return {};
  if (std::string err = duplicate_role(o.streams); !err.empty())
    return (o.csv_dir.empty() ? "--slo: " : "--csv: ") + err;
  for (const auto& slo : o.slos) {
    bool found = false;
    for (const auto& s : o.streams) found = found || stream_role(s) == slo.stream;
    if (!found)
      return "--slo " + slo.text + ": the run has no " + slo.stream +
             " stream (a stream is the probe when named probe or hi, or its path is /hi; "
             "else heavy)";
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
      {"--target", nullptr, "HOST:PORT", "server to load (default 127.0.0.1:8080)",
       [](const std::string& v, RunDraft& d) { return parse_target(v, d.options.target); }},
      {"--path", nullptr, "PATH", "request target, e.g. / or /hi or /?n=25 (default /)",
       key("path")},
      {"--conns", nullptr, "N",
       "closed loop: concurrent connections; open loop: connections opened\n"
       "before the first request (default 1)",
       key("conns")},
      {"--calls", nullptr, "N", "closed loop: calls per connection, one after another",
       key("calls")},
      {"--duration", nullptr, "SEC", "run for SEC seconds (units allowed: 500ms, 10s, 2m)",
       key("duration")},
      {"--rate", nullptr, "R", "open loop: R requests per second, due on a fixed schedule",
       key("rate")},
      {"--poisson", nullptr, nullptr, "open loop: exponential gaps between requests (mean 1/R)",
       [](const std::string&, RunDraft& d) { return apply_stream_key("poisson", "", d.defaults); }},
      {"--max-conns", nullptr, "N", "open loop: most connections it may open (default 1000)",
       key("max-conns")},
      {"--timeout", nullptr, "SEC",
       "a request unanswered this long is a timeout error (default 30)", key("timeout")},
      {"--stream", nullptr, "SPEC",
       "add a named stream NAME:key=value,... with keys path, conns, calls,\n"
       "duration, rate, poisson, max-conns, timeout (unset keys come\n"
       "from the flags above); repeat for several streams on one clock",
       [](const std::string& v, RunDraft& d) -> std::string {
         d.stream_texts.push_back(v);
         return {};
       }},
      {"--hgrm", nullptr, "DIR", "write each stream's latency spectrum to DIR/<stream>.hgrm",
       [](const std::string& v, RunDraft& d) -> std::string {
         if (v.empty()) return "must be a directory";
         d.options.hgrm_dir = v;
         return {};
       }},
      {"--seed", nullptr, "N", "seed of the Poisson arrivals (default 1)",
       [](const std::string& v, RunDraft& d) -> std::string {
         std::uint64_t n = 0;
         if (!parse_u64(v, 0, UINT64_MAX, n)) return "must be a non-negative integer";
         d.defaults.seed = n;
         return {};
       }},
      {"--quiet", nullptr, nullptr, "no progress line on stderr",
       [](const std::string&, RunDraft& d) -> std::string {
         d.options.quiet = true;
         return {};
       }},
      {"--json", nullptr, "FILE",
       "write the run as one JSON document to FILE (- for stdout; the\n"
       "table then goes to stderr): parameters, each stream's counts,\n"
       "errors by class, rate, latency percentiles with 95% CIs, the\n"
       "server, the machine (harness/RESULTS.md)",
       [](const std::string& v, RunDraft& d) -> std::string {
         if (v.empty()) return "must be a file name, or - for stdout";
         d.options.json_path = v;
         return {};
       }},
      {"--csv", nullptr, "DIR",
       "write the run as a results folder in DIR (summary.csv, series.csv,\n"
       "metrics.csv, meta.json: the experiment's layout, one phase)",
       [](const std::string& v, RunDraft& d) -> std::string {
         if (v.empty() || v == "-") return "must be a directory";
         d.options.csv_dir = v;
         return {};
       }},
      {"--slo", nullptr, "OBJECTIVE",
       "a service-level objective like 'probe.p99<5ms' or 'heavy.rps>=100'\n"
       "(as offload-bench experiment's); repeatable; exit 3 when one fails",
       [](const std::string& v, RunDraft& d) -> std::string {
         Slo slo;
         if (std::string err = parse_slo(v, slo); !err.empty()) return err;
         d.options.slos.push_back(slo);
         return {};
       }},
  };
  return table;
}

}  // namespace

bool parse_duration(const std::string& text, double& seconds) {
  return flags::parse_duration(text, seconds);
}

bool parse_size(const std::string& text, std::uint64_t& bytes) {
  const auto v = flags::parse_size(text, 1, kMaxPayloadBytes);
  if (v) bytes = *v;
  return v.has_value();
}

std::string size_label(std::uint64_t bytes) {
  return flags::size_label(bytes);
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
  if (std::string err = check_roles(draft.options); !err.empty()) return {ParseStatus::error, err};
  out = draft.options;
  return {};
}

std::string run_usage() {
  return "usage: offload-bench [run] [options]\n"
         "       offload-bench experiment [options]     (see offload-bench experiment --help)\n"
         "       offload-bench --version                (version, git revision, libraries)\n\n"
         "Loads an HTTP server with one or more streams and prints, per stream, the requests\n"
         "answered, errors by class, the rate and the latency percentiles (ms) with 95%\n"
         "confidence intervals. A closed loop (--conns, --calls or --duration) sends each call\n"
         "when the previous answer came; an open loop (--rate, --duration) sends on a schedule\n"
         "and measures latency from when each request was due, so server stalls are not hidden.\n\n"
         "options:\n" +
         usage_lines(run_table()) +
         "\nexit status: 0 done, 1 the server could not be reached or went away (or an output\n"
         "could not be written), 2 bad options, 3 an objective (--slo) failed, 130 interrupted\n"
         "(what was measured is still printed and written)\n\n"
         "examples:\n"
         "  offload-bench --conns 20 --calls 200 --path /                 (like httperf)\n"
         "  offload-bench --rate 200 --duration 10s --path /hi            (like wrk2)\n"
         "  offload-bench --duration 10 --stream heavy:path=/,conns=4 \\\n"
         "                --stream probe:path=/hi,rate=200               (two streams, one "
         "clock)\n"
         "  offload-bench --duration 10 --stream heavy:path=/,conns=4 \\\n"
         "                --stream probe:path=/hi,rate=200 --slo 'probe.p99<5ms' \\\n"
         "                --json run.json --csv results/run1          (for CI and notebooks)\n";
}

}  // namespace bench
