// `offload-bench [run]`'s options, and the value parsers both commands use. Stream flags
// (--path, --conns, ...) set defaults that every --stream inherits, so `--duration 10 --stream
// a:... --stream b:...` runs both for ten seconds.
#include "cli/options.hpp"

#include <set>

#include "cli/option_table.hpp"
#include "client/request.hpp"

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

}  // namespace bench
