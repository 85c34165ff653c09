// The results folder's layout, from harness/results_schema.json (embedded at build time): the
// CSVs' columns in order, with their types and whether a row may leave them empty. The
// writer (results_folder.cpp) takes its headers from here; harness/tools/check_results.py
// and notebooks/results_folder.py read the same file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bench::schema {

struct Column {
  std::string name;
  std::string type;   // text | integer | number
  bool empty = true;  // a row may leave it empty
  int since = 1;      // the layout version that added it
};

// The layout version this harness writes (meta.json's results_schema).
int version();
// The files' names, in the schema's order: summary.csv, series.csv, resources.csv, metrics.csv.
std::vector<std::string> files();
// One CSV's columns in order; empty for a file the schema does not name.
const std::vector<Column>& columns(std::string_view file);
// Its header line, without the newline: "config,strategy,...".
std::string header(std::string_view file);
// The names of a group's columns in order ("keys", "knobs", "knob_notes", "summary", ...).
std::vector<std::string> group(std::string_view name);

// The embedded JSON text (generated from the file at configure time).
const char* json_text();

}  // namespace bench::schema
