// The job size is written twice: in its workload's own column (fib, payload_bytes: the
// readers of older folders use them) and as load_param / load_value, which any workload
// fills without a column of its own.
#include "experiment/row_keys.hpp"

namespace bench {

CsvRow key_cells(const ServerConfig& c, unsigned repeat, const std::string& phase,
                 const std::string& level, const std::string& knobs_refused) {
  CsvRow row;
  row.text(c.label).text(c.strategy).text(c.workload);
  for (const char* column : {"fib", "payload_bytes"}) {
    if (c.load_param == column) {
      row.integer(c.load_value);
    } else {
      row.empty();
    }
  }
  row.text(c.load_param).integer(c.load_value);
  row.integer(c.workers);
  row.integer(repeat).text(phase);
  row.text(level);
  for (const auto& knob : c.knobs) row.text(knob);
  row.text(knobs_refused);
  return row;
}

}  // namespace bench
