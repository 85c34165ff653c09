// CPU lists as taskset and /sys write them: "1", "0-3", "0-3,6".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flags {

// "0-3,6" -> {0, 1, 2, 3, 6}, sorted, each CPU once. Every item is a CPU number or an
// ascending range lo-hi, every CPU below `limit` (the CPUs the caller will accept); nullopt
// when the text is not such a list (empty, an empty item, a descending range, a sign).
std::optional<std::vector<int>> parse_cpu_list(std::string_view text, int limit);

// {0, 1, 2, 5, 7, 8} -> "0-2,5,7-8": the canonical form (sorted input).
std::string format_cpu_list(const std::vector<int>& cpus);

}  // namespace flags
