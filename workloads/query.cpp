// Query-string parameters, split on '&' and '='.
#include "query.hpp"

namespace workloads {

std::optional<std::string_view> query_param(std::string_view query, std::string_view name,
                                            bool& repeated) {
  std::optional<std::string_view> found;
  repeated = false;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = param.find('=');
    if (param.substr(0, eq) != name) continue;
    if (found) repeated = true;
    found = eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1);
  }
  return found;
}

}  // namespace workloads
