// The path rule matches the target /hi itself and /hi with a query, not /history.
#include "experiment/stream_role.hpp"

#include <set>

namespace bench {

std::string stream_role(const StreamSpec& spec) {
  if (spec.name == "heavy") return "heavy";
  if (spec.name == "probe" || spec.name == "hi") return "probe";
  const std::string& p = spec.path;
  if (p == "/hi" || p.rfind("/hi?", 0) == 0) return "probe";
  return "heavy";
}

std::string duplicate_role(const std::vector<StreamSpec>& specs) {
  std::set<std::string> seen;
  for (const auto& s : specs) {
    const std::string role = stream_role(s);
    if (!seen.insert(role).second)
      return "two streams are the " + role +
             " (a stream is the probe when named probe or hi, or its path is /hi; else heavy)";
  }
  return {};
}

}  // namespace bench
