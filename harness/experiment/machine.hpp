// Where and with what a run was measured, for meta.json: the machine (cores, CPU model,
// kernel, memory, OS, CPU frequency governor, SMT), library and compiler versions, and the
// source tree's git revision.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bench {

std::string machine_json();  // governor and smt are null where the machine does not say
std::string versions_json();
std::string git_revision();  // "unknown" outside a git checkout
std::string machine_line();  // "2 cores, AMD EPYC, Linux 6.1.0" for tables and logs
std::string utc_now_iso();   // 2024-05-01T12:00:00Z

// SMT from /proc/cpuinfo when /sys/devices/system/cpu/smt/control is absent: "on" when a
// core has more hardware threads ("siblings") than cores ("cpu cores"), "off" when not,
// nullopt when the text does not say (VMs often leave both out).
std::optional<std::string> smt_from_cpuinfo(std::string_view cpuinfo);

}  // namespace bench
