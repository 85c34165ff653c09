// Just enough JSON writing for meta.json: an object builder whose values are already JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bench::json {

std::string string(std::string_view text);                 // quoted and escaped
std::string number(double value);                          // null for NaN or infinity
std::string array(const std::vector<std::string>& items);  // items already JSON

class Object {
 public:
  Object& raw(std::string_view key, std::string_view json_value);
  Object& str(std::string_view key, std::string_view value) { return raw(key, string(value)); }
  Object& num(std::string_view key, double value) { return raw(key, number(value)); }
  Object& integer(std::string_view key, std::int64_t value);
  Object& boolean(std::string_view key, bool value) { return raw(key, value ? "true" : "false"); }
  std::string text() const { return "{" + body_ + "}"; }

 private:
  std::string body_;
};

}  // namespace bench::json
