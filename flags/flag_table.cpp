// The command line is read whole before anything is applied: --help answers whatever else is
// given, and the flags present decide which variables are not read.
#include "flag_table.hpp"

#include <algorithm>
#include <utility>

namespace flags {

Result parse_specs(const std::vector<Spec>& specs, const std::vector<std::string>& args,
                   const EnvLookup& env, const Apply& apply) {
  std::vector<std::pair<std::size_t, std::string>> given;  // option, value
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "--help" || arg == "-h") return {Status::help, {}};
    std::string value;
    bool has_value = false;
    if (const auto eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0) {
      value = arg.substr(eq + 1);
      arg.resize(eq);
      has_value = true;
    }
    const auto found =
        std::find_if(specs.begin(), specs.end(), [&](const Spec& s) { return arg == s.flag; });
    if (found == specs.end()) return {Status::error, "unknown option " + arg + " (see --help)"};
    if (found->value_name == nullptr) {
      if (has_value) return {Status::error, arg + " takes no value"};
    } else if (!has_value) {
      if (i + 1 >= args.size()) return {Status::error, arg + " needs a value"};
      value = args[++i];
    }
    given.emplace_back(static_cast<std::size_t>(found - specs.begin()), std::move(value));
  }
  Result result;
  if (env) {
    for (std::size_t i = 0; i < specs.size(); ++i) {
      const Spec& s = specs[i];
      if (s.env == nullptr) continue;
      if (std::any_of(given.begin(), given.end(), [&](const auto& g) { return g.first == i; }))
        continue;
      const char* value = env(s.env);
      if (value == nullptr || *value == '\0') continue;
      if (std::string err = apply(i, value); !err.empty()) {
        if (s.env_note == nullptr)
          return {Status::error, std::string(s.env) + "=" + value + ": " + err};
        result.notes.push_back(std::string(s.env) + "=" + value + " " + s.env_note);
      }
    }
  }
  for (const auto& [i, value] : given) {
    if (std::string err = apply(i, value); !err.empty()) {
      const Spec& s = specs[i];
      return {Status::error,
              std::string(s.flag) + (s.value_name != nullptr ? " " + value : "") + ": " + err};
    }
  }
  return result;
}

}  // namespace flags
