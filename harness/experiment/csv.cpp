// A cell needs quotes when it holds a comma, a quote or a line break.
#include "experiment/csv.hpp"

#include <cmath>
#include <cstdio>

namespace bench {

void CsvRow::separator() {
  if (!first_) line_ += ',';
  first_ = false;
}

CsvRow& CsvRow::text(std::string_view value) {
  separator();
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    line_ += value;
    return *this;
  }
  line_ += '"';
  for (const char c : value) {
    if (c == '"') line_ += '"';
    line_ += c;
  }
  line_ += '"';
  return *this;
}

CsvRow& CsvRow::integer(std::uint64_t value) {
  separator();
  line_ += std::to_string(value);
  return *this;
}

CsvRow& CsvRow::number(double value, int decimals) {
  separator();
  if (std::isnan(value) || std::isinf(value)) return *this;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  line_ += buf;
  return *this;
}

CsvRow& CsvRow::empty() {
  separator();
  return *this;
}

CsvRow& CsvRow::append(const CsvRow& cells) {
  if (cells.first_) return *this;  // nothing to add
  separator();
  line_ += cells.line_;
  return *this;
}

}  // namespace bench
