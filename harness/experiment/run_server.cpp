// The label follows the experiment's (plan.cpp): <strategy>-<fibN|gpgSIZE>-w<workers>, so a
// run and an experiment of the same server share a config name in the notebooks.
#include "experiment/run_server.hpp"

#include "experiment/json.hpp"
#include "experiment/knobs.hpp"
#include "experiment/stream_role.hpp"
#include "flag_units.hpp"

namespace bench {

namespace {

std::optional<std::uint64_t> whole_number(const std::string& text) {
  std::uint64_t n = 0;
  if (!flags::parse_u64(text, 0, UINT64_MAX, n)) return std::nullopt;
  return n;
}

// The value of `name` in a path's query ("/?n=25&x=1" -> "25"), or nullopt.
std::optional<std::string> query_value(const std::string& path, const std::string& name) {
  const auto q = path.find('?');
  if (q == std::string::npos) return std::nullopt;
  for (const auto& pair : flags::split(path.substr(q + 1), '&')) {
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name && eq != std::string::npos) return pair.substr(eq + 1);
  }
  return std::nullopt;
}

std::string label(const std::map<std::string, std::string>& labels, const char* name) {
  const auto it = labels.find(name);
  return it == labels.end() ? "" : it->second;
}

// The knob columns from offload_knobs, each only when it reads as its column's type.
std::vector<std::string> knob_cells(const std::map<std::string, std::string>& reported) {
  std::vector<std::string> cells;
  const std::string workers = label(reported, "workers");
  const auto dash = workers.find('-');
  for (const auto& spec : knob_specs()) {
    const std::string column = spec.column;
    std::string v;
    if (column == "min_workers" || column == "max_workers") {
      // Reported as "1-4" for an elastic pool only; a fixed pool's size is the workers column.
      if (dash != std::string::npos)
        v = column == "min_workers" ? workers.substr(0, dash) : workers.substr(dash + 1);
    } else if (column == "worker_idle_timeout_s") {
      double s = 0;
      if (flags::parse_number(label(reported, "worker_idle_timeout"), s) && s >= 0)
        v = label(reported, "worker_idle_timeout");
    } else {
      v = label(reported, spec.column);
    }
    double x = 0;
    if (spec.numeric && !v.empty() && !flags::parse_number(v, x)) v.clear();
    cells.push_back(v);
  }
  return cells;
}

}  // namespace

RunServer identify_server(const Scrape* scrape, const std::vector<StreamSpec>& specs) {
  RunServer s;
  s.knobs.assign(knob_specs().size(), "");
  const auto* info = scrape ? scrape->labels("offload_info") : nullptr;
  if (info == nullptr) return s;
  s.identified = true;
  s.info = *info;
  s.strategy = label(*info, "strategy");
  s.workload = label(*info, "workload");
  s.workers = whole_number(label(*info, "workers"));
  const StreamSpec* heavy = nullptr;
  for (const auto& spec : specs)
    if (stream_role(spec) == "heavy" && heavy == nullptr) heavy = &spec;
  std::string size;
  if (s.workload == "fib") {
    s.fib = whole_number(label(*info, "fib"));
    if (const auto n = heavy ? query_value(heavy->path, "n") : std::nullopt)
      s.fib = whole_number(*n);
    s.load_param = "fib";
    s.load_value = s.fib;
    if (s.fib) size = "fib" + std::to_string(*s.fib);
  } else if (s.workload == "gpg") {
    s.payload_bytes = whole_number(label(*info, "payload_bytes"));
    if (const auto b = heavy ? query_value(heavy->path, "bytes") : std::nullopt) {
      const auto bytes = flags::parse_size(*b, 1, UINT64_MAX);
      s.payload_bytes = bytes ? std::optional<std::uint64_t>(*bytes) : std::nullopt;
    }
    s.load_param = "payload_bytes";
    s.load_value = s.payload_bytes;
    if (s.payload_bytes) size = "gpg" + flags::size_label(*s.payload_bytes);
  } else {
    size = s.workload;
  }
  if (!s.load_value) s.load_param.clear();  // a job size that cannot be read names nothing
  s.config = (s.strategy.empty() ? "unknown" : s.strategy) + "-" +
             (size.empty() ? "unknown" : size) + "-w" +
             (s.workers ? std::to_string(*s.workers) : "unknown");
  if (const auto* knobs = scrape->labels("offload_knobs")) {
    s.knobs = knob_cells(*knobs);
    s.knobs_refused = label(*knobs, "refused");
  }
  return s;
}

std::string run_knobs_json(const RunServer& s) {
  json::Object knobs;
  const auto& specs = knob_specs();
  for (std::size_t i = 0; i < specs.size() && i < s.knobs.size(); ++i) {
    const std::string& v = s.knobs[i];
    knobs.raw(specs[i].column, v.empty() ? "null" : specs[i].numeric ? v : json::string(v));
  }
  return knobs.text();
}

std::string run_server_json(const RunServer& s) {
  if (!s.identified) return "null";
  auto optional = [](const std::optional<std::uint64_t>& v) {
    return v ? std::to_string(*v) : std::string("null");
  };
  json::Object info;
  for (const auto& [k, v] : s.info) info.str(k, v);
  return json::Object()
      .str("config", s.config)
      .str("strategy", s.strategy)
      .str("workload", s.workload)
      .raw("fib", optional(s.fib))
      .raw("payload_bytes", optional(s.payload_bytes))
      .raw("load_param", s.load_param.empty() ? "null" : json::string(s.load_param))
      .raw("load_value", optional(s.load_value))
      .raw("workers", optional(s.workers))
      .raw("knobs", run_knobs_json(s))
      .str("knobs_refused", s.knobs_refused)
      .raw("info", info.text())
      .text();
}

}  // namespace bench
