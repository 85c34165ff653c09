// The table-driven parsing both commands of offload-bench share (cli/options.cpp for a load
// run, cli/experiment_options.cpp for an experiment): each option is its flag, value name,
// help line (with units) and a parser that returns the broken rule or "", so --help, parsing
// and validation cannot drift apart. A bad flag is one line naming the rule it breaks.
// Internal to cli/.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/options.hpp"

namespace bench::cli {

template <class Options>
struct Option {
  const char* flag;
  const char* value_name;  // nullptr: a switch without a value
  const char* help;
  std::function<std::string(const std::string&, Options&)> apply;
};

inline bool parse_u64(const std::string& text, std::uint64_t lo, std::uint64_t hi,
                      std::uint64_t& out) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return !text.empty() && ec == std::errc() && ptr == end && out >= lo && out <= hi;
}

inline bool parse_number(const std::string& text, double& out) {
  std::istringstream in(text);
  in >> out;
  return !text.empty() && !in.fail() && in.eof() && std::isfinite(out);
}

inline std::string integer_rule(std::uint64_t lo, std::uint64_t hi) {
  return "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
}

inline std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, sep)) parts.push_back(part);
  if (!text.empty() && text.back() == sep) parts.push_back("");
  return parts;
}

inline std::string parse_list(const std::string& text,
                              const std::function<std::string(const std::string&)>& each) {
  if (text.empty()) return "must be a comma-separated list";
  for (const auto& item : split(text, ','))
    if (std::string err = each(item); !err.empty()) return err;
  return {};
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

}  // namespace bench::cli
