// offload-bench's two commands (cli/options.cpp for a load run, cli/experiment_options.cpp for
// an experiment) parse their flags with the project's flag tables (flags/), which
// offload-server shares: each option is its flag, value name, help line (with units) and a
// parser that returns the broken rule or "". This header fits them to the commands: their
// ParseResult, and the help column both commands use. Internal to cli/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "flag_help.hpp"
#include "flag_table.hpp"
#include "flag_units.hpp"

namespace bench::cli {

using flags::integer_rule;
using flags::parse_list;
using flags::parse_number;
using flags::parse_u64;
using flags::split;

// offload-bench's flags read no environment variables: the command line alone configures a
// measurement, so a run can be repeated from meta.json's command.
template <class Options>
using Option = flags::Option<Options>;

// The largest --payload, as the server's --payload-bytes allows (the gpg workload's bound).
inline constexpr std::uint64_t kMaxPayloadBytes = std::uint64_t{64} << 20;

template <class Options>
ParseResult parse_with(const std::vector<Option<Options>>& table,
                       const std::vector<std::string>& args, Options& out) {
  const flags::Result r = flags::parse(table, args, out);
  switch (r.status) {
    case flags::Status::help:
      return {ParseStatus::help, {}};
    case flags::Status::error:
      return {ParseStatus::error, r.message};
    case flags::Status::ok:
      break;
  }
  return {};
}

// Texts start in column 26; a longer flag gets a line of its own.
template <class Options>
std::string usage_lines(const std::vector<Option<Options>>& table) {
  return flags::help_table(table, flags::HelpLayout{2, 26, 0});
}

}  // namespace bench::cli
