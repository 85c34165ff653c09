// The cells that open every row of every CSV (harness/results_schema.json's groups keys,
// knobs and knob_notes): which configuration, run, phase and level the row belongs to, the
// knobs in force and what the server refused of them.
#pragma once

#include <string>

#include "experiment/csv.hpp"
#include "experiment/plan.hpp"

namespace bench {

// `level`: a load phase's level label, "" for the other phases.
CsvRow key_cells(const ServerConfig& c, unsigned repeat, const std::string& phase,
                 const std::string& level, const std::string& knobs_refused);

}  // namespace bench
