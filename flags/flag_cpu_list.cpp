// One reader of CPU lists for the server's --loop-cpu / --worker-cpus and the harness's
// --harness-cpus / --server-cpus / worker-cpus sweeps; each caller says which CPUs exist.
#include "flag_cpu_list.hpp"

#include <algorithm>
#include <charconv>

namespace flags {

namespace {

bool cpu_number(std::string_view text, int limit, int& out) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return !text.empty() && ec == std::errc() && ptr == end && out >= 0 && out < limit;
}

}  // namespace

std::optional<std::vector<int>> parse_cpu_list(std::string_view text, int limit) {
  std::vector<int> cpus;
  if (text.empty()) return std::nullopt;
  while (true) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    const auto dash = item.find('-');
    const std::string_view a = item.substr(0, dash);
    const std::string_view b = dash == std::string_view::npos ? a : item.substr(dash + 1);
    int lo = 0, hi = 0;
    if (!cpu_number(a, limit, lo) || !cpu_number(b, limit, hi) || hi < lo) return std::nullopt;
    for (int cpu = lo; cpu <= hi; ++cpu) cpus.push_back(cpu);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

std::string format_cpu_list(const std::vector<int>& cpus) {
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(cpus[i]);
    if (j > i) out += "-" + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace flags
