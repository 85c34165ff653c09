// Building CSV rows for results/: numbers with fixed decimals, NaN as an empty cell (pandas
// reads it back as NaN), text quoted only when it has to be (RFC 4180).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace bench {

class CsvRow {
 public:
  CsvRow& text(std::string_view value);
  CsvRow& integer(std::uint64_t value);
  CsvRow& number(double value, int decimals);  // NaN: empty
  CsvRow& empty();
  CsvRow& append(const CsvRow& cells);  // another row's cells after this row's
  std::string line() const { return line_ + "\n"; }

 private:
  void separator();
  std::string line_;
  bool first_ = true;
};

}  // namespace bench
