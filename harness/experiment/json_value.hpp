// Just enough JSON reading for what the harness is told in JSON: the server's strategy list
// (offload-server --list-strategies --json) and the results schema. A document becomes a
// tree of Values; objects keep their members in order.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bench::json {

struct Value {
  enum class Kind { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  double number = 0;
  std::string text;                                    // a string's
  std::vector<Value> items;                            // an array's
  std::vector<std::pair<std::string, Value>> members;  // an object's, in order

  // An object's member, or nullptr (also when this is no object).
  const Value* get(std::string_view key) const;
  bool is(Kind k) const { return kind == k; }
};

// Parses one JSON document (RFC 8259; whitespace around it allowed). On failure: nullopt, and
// in *error (when given) what is wrong and at which byte.
std::optional<Value> parse(std::string_view text, std::string* error = nullptr);

}  // namespace bench::json
