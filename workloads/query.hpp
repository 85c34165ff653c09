// Reading GET /'s query string, for the workloads' parse(): "n=25&x", "bytes=4k&corrupt=1".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace workloads {

// The value of `name` in the query: nullopt if absent, "" if given without a value. Sets
// `repeated` when it appears more than once. Values are taken as they are (no %-decoding).
std::optional<std::string_view> query_param(std::string_view query, std::string_view name,
                                            bool& repeated);

// The value of `name` from a Settings map, or `fallback` when absent.
template <class Map>
std::string setting(const Map& settings, std::string_view name, std::string_view fallback) {
  const auto it = settings.find(name);
  return it == settings.end() ? std::string(fallback) : it->second;
}

}  // namespace workloads
