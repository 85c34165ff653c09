// Homes left behind by a server that was killed (SIGKILL, the OOM killer) before it could
// remove them, with their gpg-agent still running. Each home carries an owner stamp; a later
// server sweeps the homes whose owner is certainly gone.
#pragma once

#include <string>
#include <vector>

namespace workloads::gpg {

// Writes the owner stamp (this process) into `home`. "" or the reason.
std::string stamp_owner(const std::string& home);

// Removes every /tmp/olg-* home of this user whose stamp names a process that no longer
// exists: same boot and PID namespace, and that PID absent or started at another time (so a
// reused PID is not mistaken for the owner). Homes without a stamp, or from another PID
// namespace (another container sharing /tmp), are left alone. Returns the homes removed.
std::vector<std::string> sweep_stale_homes();

}  // namespace workloads::gpg
