// Control characters become \u00XX; everything else passes through as UTF-8.
#include "experiment/json.hpp"

#include <cmath>
#include <cstdio>

namespace bench::json {

std::string string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string number(double value) {
  if (!std::isfinite(value)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", value);
  return buf;
}

std::string array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  return out + "]";
}

Object& Object::raw(std::string_view key, std::string_view json_value) {
  if (!body_.empty()) body_ += ", ";
  body_ += string(key);
  body_ += ": ";
  body_ += json_value;
  return *this;
}

Object& Object::integer(std::string_view key, std::int64_t value) {
  return raw(key, std::to_string(value));
}

}  // namespace bench::json
