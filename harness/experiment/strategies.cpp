// The list is taken as the server gives it; only its shape is checked (names unique and
// label-safe, since they name configurations, files and CSV cells).
#include "experiment/strategies.hpp"

#include <algorithm>

#include "experiment/json.hpp"
#include "experiment/json_value.hpp"

namespace bench {

bool Strategy::has_knob(std::string_view flag) const {
  return std::find(knobs.begin(), knobs.end(), flag) != knobs.end();
}

const Strategy* StrategyRegistry::find(std::string_view name) const {
  for (const auto& s : strategies)
    if (s.name == name) return &s;
  return nullptr;
}

bool StrategyRegistry::applies(const Strategy& s, std::string_view flag) const {
  if (s.has_knob(flag)) return true;
  return std::none_of(strategies.begin(), strategies.end(),
                      [&](const Strategy& other) { return other.has_knob(flag); });
}

std::string StrategyRegistry::names_text() const {
  std::string out;
  for (std::size_t i = 0; i < strategies.size(); ++i)
    out += (i == 0 ? "" : i + 1 == strategies.size() ? " or " : ", ") + strategies[i].name;
  return out;
}

const Strategy* StrategyRegistry::loop_strategy() const {
  for (const auto& s : strategies)
    if (!s.has_pool()) return &s;
  return nullptr;
}

std::string StrategyRegistry::json() const {
  std::vector<std::string> items;
  for (const auto& s : strategies) {
    std::vector<std::string> knobs;
    for (const auto& k : s.knobs) knobs.push_back(json::string(k));
    items.push_back(json::Object()
                        .str("name", s.name)
                        .str("description", s.description)
                        .boolean("workload_in_server", s.workload_in_server)
                        .raw("knobs", json::array(knobs))
                        .text());
  }
  return json::array(items);
}

std::string parse_strategy_list(std::string_view text, StrategyRegistry& out) {
  std::string error;
  const auto doc = json::parse(text, &error);
  if (!doc) return "not JSON: " + error;
  const json::Value* list = doc->get("strategies");
  if (list == nullptr || !list->is(json::Value::Kind::array))
    return "no \"strategies\" array in the answer";
  StrategyRegistry registry;
  registry.source = "server";
  for (const auto& item : list->items) {
    const json::Value* name = item.get("name");
    if (name == nullptr || !name->is(json::Value::Kind::string) || name->text.empty() ||
        name->text.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
      return "a strategy without a name of lower-case letters, digits or '_'";
    if (registry.find(name->text) != nullptr) return "the strategy " + name->text + " twice";
    Strategy s;
    s.name = name->text;
    if (const auto* d = item.get("description"); d && d->is(json::Value::Kind::string))
      s.description = d->text;
    if (const auto* w = item.get("workload_in_server"); w && w->is(json::Value::Kind::boolean))
      s.workload_in_server = w->boolean;
    const json::Value* knobs = item.get("knobs");
    if (knobs == nullptr || !knobs->is(json::Value::Kind::array))
      return "the strategy " + s.name + " has no \"knobs\" array";
    for (const auto& k : knobs->items) {
      if (!k.is(json::Value::Kind::string)) return "a knob of " + s.name + " is not a string";
      s.knobs.push_back(k.text);
    }
    registry.strategies.push_back(std::move(s));
  }
  if (registry.strategies.empty()) return "an empty list of strategies";
  out = std::move(registry);
  return {};
}

StrategyRegistry builtin_strategies() {
  // The flags as offload-server applied them when it could not list them: worker scheduling,
  // worker CPUs, the queue and the job timeout for the pools; the elastic size and recycling
  // for the process pool alone; the loop's CPU (in no list) for all.
  const std::vector<std::string> pool = {"workers",     "max-queue",     "job-timeout",
                                         "worker-nice", "worker-policy", "worker-cpus"};
  std::vector<std::string> process = pool;
  process.insert(process.end(),
                 {"min-workers", "max-workers", "worker-idle-timeout", "max-jobs-per-worker"});
  StrategyRegistry r;
  r.source = "built-in";
  r.strategies = {
      {"inline", "on the event loop itself", true, {}},
      {"thread", "on a oneTBB thread pool", true, pool},
      {"process", "on a pool of worker processes", false, process},
      {"uvpool", "on libuv's thread pool", true, pool},
  };
  return r;
}

std::string check_strategies(const std::vector<std::string>& wanted,
                             const StrategyRegistry& registry) {
  for (const auto& name : wanted) {
    if (registry.find(name) != nullptr) continue;
    std::string list;
    for (const auto& w : wanted) list += (list.empty() ? "" : ",") + w;
    return "--strategies " + list + ": must list " + registry.names_text() +
           (registry.source == "server" ? " (the strategies the server lists)" : "");
  }
  return {};
}

}  // namespace bench
