// The table of strategies. Adding one: a file <name>_offloader.cpp that defines
// `Strategy <name>_strategy()` (its entry: name, description, knobs, factory), that file in
// servers/CMakeLists.txt, and one line here.
#include "strategy_registry.hpp"

#include <algorithm>

namespace offload {

// In this order in --help, --list-strategies and the tests; a new strategy is a line above the
// last one (which only ends the list).
// clang-format off
#define OFFLOAD_STRATEGIES(X) \
  X(inline)                   \
  X(thread)                   \
  X(process)                  \
  X(uvpool)                   \
  X(async)                    \
  X(remote)                   \
  /* end of the list */
// clang-format on

#define OFFLOAD_DECLARE(name) Strategy name##_strategy();
OFFLOAD_STRATEGIES(OFFLOAD_DECLARE)
#undef OFFLOAD_DECLARE

std::vector<std::string> pool_knobs(std::initializer_list<const char*> own) {
  std::vector<std::string> knobs = {"workers",     "max-queue",     "job-timeout",
                                    "worker-nice", "worker-policy", "worker-cpus"};
  knobs.insert(knobs.end(), own.begin(), own.end());
  return knobs;
}

bool Strategy::has_knob(std::string_view flag) const {
  return std::find(knobs.begin(), knobs.end(), flag) != knobs.end();
}

const std::vector<Strategy>& strategies() {
#define OFFLOAD_ENTRY(name) name##_strategy(),
  static const std::vector<Strategy> table = {OFFLOAD_STRATEGIES(OFFLOAD_ENTRY)};
#undef OFFLOAD_ENTRY
  return table;
}

const Strategy* find_strategy(std::string_view name) {
  for (const auto& s : strategies())
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<std::string> strategy_names() {
  return strategy_names([](const Strategy&) { return true; });
}

std::vector<std::string> strategy_names(const std::function<bool(const Strategy&)>& keep) {
  std::vector<std::string> names;
  for (const auto& s : strategies())
    if (keep(s)) names.push_back(s.name);
  return names;
}

std::string strategy_list(std::string_view separator) {
  std::string out;
  for (const auto& s : strategies()) out += (out.empty() ? "" : std::string(separator)) + s.name;
  return out;
}

std::string strategies_text() {
  std::size_t width = 0;
  for (const auto& s : strategies()) width = std::max(width, s.name.size());
  std::string out;
  for (const auto& s : strategies()) {
    std::string line = s.name;
    line.resize(width + 2, ' ');
    line += s.description;
    line += s.workload_in_server ? "" : " (workload in worker processes)";
    line += "\n";
    line.append(width + 2, ' ');
    line += "knobs: ";
    if (s.knobs.empty()) line += "none";
    for (std::size_t i = 0; i < s.knobs.size(); ++i) line += (i ? " --" : "--") + s.knobs[i];
    out += line + "\n";
  }
  return out;
}

namespace {

// A JSON string: the registry's text is ours, but quotes and backslashes are escaped anyway.
std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string strategies_json() {
  std::string out = "{\"strategies\":[";
  for (std::size_t i = 0; i < strategies().size(); ++i) {
    const Strategy& s = strategies()[i];
    out += i ? ",{" : "{";
    out += "\"name\":" + json_string(s.name) + ",\"description\":" + json_string(s.description) +
           ",\"workload_in_server\":" + (s.workload_in_server ? "true" : "false") +
           ",\"needs_async_workload\":" + (s.needs_async_workload ? "true" : "false") +
           ",\"knobs\":[";
    for (std::size_t k = 0; k < s.knobs.size(); ++k)
      out += (k ? "," : "") + json_string(s.knobs[k]);
    out += "]}";
  }
  return out + "]}";
}

}  // namespace offload
