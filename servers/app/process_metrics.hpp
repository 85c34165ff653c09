// The standard process metrics the official Prometheus client libraries expose (CPU, memory,
// descriptors, start time), read from /proc for this process, so dashboards built for any
// service work on this one too.
#pragma once

#include <string>

namespace app {

// Appends process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds and
// process_start_time_seconds; a figure that cannot be read is left out.
void render_process_metrics(std::string& out);

}  // namespace app
