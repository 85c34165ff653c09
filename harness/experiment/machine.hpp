// Where and with what a run was measured, for meta.json: the machine (cores, CPU model,
// kernel, memory, OS), library and compiler versions, and the source tree's git revision.
#pragma once

#include <string>

namespace bench {

std::string machine_json();
std::string versions_json();
std::string git_revision();  // "unknown" outside a git checkout
std::string machine_line();  // "2 cores, AMD EPYC, Linux 6.1.0" for tables and logs
std::string utc_now_iso();   // 2024-05-01T12:00:00Z

}  // namespace bench
