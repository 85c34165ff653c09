// One help layout for every program: an aligned table of flags and what they set, like wrk's
// usage(). Each flag's text starts in one column; a flag too long for it gets a line of its
// own and its text starts on the next, so a flag is never glued to its text.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "flag_table.hpp"

namespace flags {

struct HelpRow {
  std::string left;  // "--port N"
  std::string text;  // '\n' starts a new line
  std::string env;   // "PORT", shown as " [PORT]" after the text; "" for none
};

struct HelpLayout {
  std::size_t indent = 2;   // before each flag
  std::size_t column = 26;  // where every text starts
  std::size_t width = 0;    // wrap the texts' words to this many columns; 0: only at '\n'
};

// The rows as lines (each ending in '\n'); the caller adds the usage line and what follows.
std::string help_table(const std::vector<HelpRow>& rows, const HelpLayout& layout);

// A table's rows, then --help's.
template <class Target>
std::vector<HelpRow> help_rows(const std::vector<Option<Target>>& table) {
  std::vector<HelpRow> rows;
  for (const auto& o : table)
    rows.push_back({std::string(o.flag) + (o.value_name ? std::string(" ") + o.value_name : ""),
                    o.help, o.env != nullptr ? o.env : ""});
  rows.push_back({"--help", "show this help and exit", ""});
  return rows;
}

template <class Target>
std::string help_table(const std::vector<Option<Target>>& table, const HelpLayout& layout) {
  return help_table(help_rows(table), layout);
}

}  // namespace flags
