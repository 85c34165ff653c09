// A program's flags as one table: each option's flag, environment fallback, value name, help
// text (with its units) and parser live together, so --help, the fallbacks and the checks
// cannot drift apart. offload-server and offload-bench parse their command lines with it.
//
// The rules, the same for every program:
//   --flag VALUE and --flag=VALUE; a switch (no value name) takes no value;
//   --help or -h anywhere asks for the help, whatever else is given;
//   a flag on the command line wins over its variable, which is then not read at all (a stale
//   WORKERS=1,2 in the shell cannot stop `--workers 4`);
//   the variables are applied first, then the flags in the order given;
//   a bad value is one line naming the flag (or VARIABLE=value) and the rule it breaks.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace flags {

// Reads an environment variable: its value, or nullptr when it is not set.
using EnvLookup = std::function<const char*(const char*)>;

template <class Target>
struct Option {
  const char* flag;        // "--port"
  const char* env;         // "PORT"; nullptr: no environment fallback
  const char* value_name;  // "N", "SEC", "SIZE"; nullptr: a switch that takes no value
  std::string help;        // what it sets, with units and default; '\n' starts a new line
  // Parses `value` into the target, or returns the rule it breaks ("must be ...").
  std::function<std::string(const std::string& value, Target&)> apply;
  // Non-null: a bad value from the variable is set aside with this note instead of stopping
  // the program (a variable some shells set for their own use, like HOST).
  const char* env_note = nullptr;
};

enum class Status { ok, help, error };

struct Result {
  Status status = Status::ok;
  std::string message;                  // the error line, without the program name
  std::vector<std::string> notes = {};  // values set aside (see Option::env_note)
};

// What the parser needs of an option, without its target type.
struct Spec {
  const char* flag;
  const char* env;
  const char* value_name;
  const char* env_note;
};
using Apply = std::function<std::string(std::size_t option, const std::string& value)>;

// The rules above over `specs`; `apply(i, value)` parses a value of specs[i]. `env` may be
// empty: no fallbacks are read.
Result parse_specs(const std::vector<Spec>& specs, const std::vector<std::string>& args,
                   const EnvLookup& env, const Apply& apply);

template <class Target>
std::vector<Spec> specs_of(const std::vector<Option<Target>>& table) {
  std::vector<Spec> specs;
  specs.reserve(table.size());
  for (const auto& o : table) specs.push_back({o.flag, o.env, o.value_name, o.env_note});
  return specs;
}

// Parses `args` (the arguments after the program's name and command) into `target`.
template <class Target>
Result parse(const std::vector<Option<Target>>& table, const std::vector<std::string>& args,
             Target& target, const EnvLookup& env = {}) {
  return parse_specs(specs_of(table), args, env, [&](std::size_t i, const std::string& value) {
    return table[i].apply(value, target);
  });
}

}  // namespace flags
